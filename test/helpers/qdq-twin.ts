// The op counts of an int8 twin that `npm run quantize` makes from one of the shipped half-resolution
// denoisers (default.onnx, camera.onnx: the same network): 12 of 13 Convs int8 (the first, reading
// image and noise map, stays float), so 12 weight DQs; 18 activations quantised: 6 ReLU outputs,
// 6 second convs, the first conv's output and the 5 residual sums that convs read (the stream
// itself stays float: the 6 Adds read it unrounded). Both twins' tests expect them.
export const QDQ_TWIN_OP_COUNTS = {
  Conv: 13,
  ConvTranspose: 1,
  Add: 6,
  QuantizeLinear: 18,
  DequantizeLinear: 30,
} as const;
