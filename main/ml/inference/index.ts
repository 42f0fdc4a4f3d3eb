// Running a trained model on photos: opening the ONNX file, tiling, the denoise call itself.
export { denoiseImage, type DenoiseModel, type DenoiseResult } from './denoise.js';
export { openOnnxModel, type OnnxModel } from './onnx-runner.js';
