// Named architectures for `--arch <name>`: the benchmark's reference denoiser, DnCNN-style
// denoisers (grey, colour, colour with a noise-level map; the photo models' camera-mix denoiser and
// noise estimator), convolutional autoencoders at three
// bottleneck widths, and small dense models on the 8×8 digits for the latent-space demos.

import { type Architecture, type ArchitectureInput, architecture, defaultPredicts } from './architecture.js';

type PresetInput = Omit<ArchitectureInput, 'format' | 'version' | 'name'>;

const residual = (
  channels: number,
  features: number,
  depth: number,
  noiseLevelInput = false,
  scale: 1 | 2 = 1,
  skips = false,
): PresetInput['network'] => ({
  type: 'residual',
  channels,
  features,
  depth,
  kernel: 3,
  noiseLevelInput,
  scale,
  skips,
  predicts: defaultPredicts({ scale, skips }),
});

const convAe = (bottleneck: number): PresetInput['network'] => ({
  type: 'conv-ae',
  channels: 1,
  stages: [16, 32],
  bottleneck,
});

const digits = (widths: number[], hidden: 'relu' | 'sigmoid' = 'relu'): PresetInput['network'] => ({
  type: 'dense',
  widths,
  hidden,
  output: 'sigmoid',
});

const definitions: Record<string, PresetInput> = {
  'ref-dae': {
    description:
      'Benchmark reference: residual conv denoiser, conv 3×3 1→32 + ReLU, five conv 3×3 32→32 + ReLU, conv 3×3 32→1; output = input − last conv.',
    network: residual(1, 32, 7),
    noise: { type: 'gaussian', sigma: 25 },
  },
  'dncnn-gray': {
    description:
      'DnCNN (Zhang et al. 2017) without batch norm: 17 conv 3×3 layers, 64 features, grey, predicts the noise.',
    network: residual(1, 64, 17),
    noise: { type: 'gaussian', sigma: 25 },
  },
  'dncnn-color': {
    description: 'DnCNN-style colour denoiser: 17 conv 3×3 layers, 64 features, RGB, predicts the noise.',
    network: residual(3, 64, 17),
    noise: { type: 'gaussian', sigma: 25 },
  },
  'dncnn-color-nl': {
    description:
      'DnCNN-style colour denoiser with a noise-level map (σ/255) concatenated to the input, FFDNet-style: one model for a range of strengths.',
    network: residual(3, 64, 17, true),
    noise: { type: 'gaussian', sigma: 25 },
  },
  'small-color-nl': {
    description:
      'Small colour denoiser with a noise-level input (7 conv 3×3 layers, 32 features): quick to train on a CPU.',
    network: residual(3, 32, 7, true),
    noise: { type: 'gaussian', sigma: 25 },
  },
  'ffdnet-color': {
    description:
      'The shipped colour denoiser: FFDNet-style, a noise-level map input (σ/255) and a half-resolution body. A linear 4×4 stride-2 conv takes RGB + map to 64 features at half resolution, 6 residual blocks (conv 3×3 + ReLU + conv 3×3, added back), a linear 4×4 stride-2 transposed conv back to full resolution; output = input − that (the noise). Trained with the noise-weighted MSE on Gaussian and Poisson–Gaussian noise up to σ 75.',
    network: residual(3, 64, 14, true, 2, true),
    init: 'kaiming',
    loss: 'noise-weighted-mse',
    noise: { type: 'poisson-gaussian', photons: 16, sigma: 75 },
  },
  'ffdnet-gray': {
    description: 'The grey sibling of ffdnet-color: same layout with one image channel.',
    network: residual(1, 64, 14, true, 2, true),
    init: 'kaiming',
    loss: 'noise-weighted-mse',
    noise: { type: 'poisson-gaussian', photons: 16, sigma: 75 },
  },
  'ffdnet-camera': {
    description:
      "ffdnet-color's network trained for real photos: the camera mix (60 % camera-pipeline noise with the simulator's per-pixel noise map, about half of it JPEG-compressed; 30 % Gaussian and Poisson–Gaussian noise up to σ 75; 10 % clean, half of that JPEG), fine-tuned from the shipped ffdnet-color model.",
    network: residual(3, 64, 14, true, 2, true),
    init: 'kaiming',
    loss: 'noise-weighted-mse',
    noise: { type: 'camera-mix', photons: 16, sigma: 75 },
  },
  'camera-estimator': {
    description:
      "Noise-level estimator after CBDNet (Guo et al. 2019): 5 conv 3×3 layers × 32 features with ReLU, RGB in, a one-channel map of σ/255 out (ReLU: never negative). Trained on the camera mix against the simulator's noise map with the asymmetric MSE (α 0.3: under-estimates cost 0.7, over-estimates 0.3), to give ffdnet-camera its map.",
    network: { type: 'estimator', channels: 3, features: 32, depth: 5, kernel: 3 },
    init: 'kaiming',
    loss: 'asymmetric-mse',
    asymmetry: 0.3,
    noise: { type: 'camera-mix', photons: 16, sigma: 75 },
  },
  'conv-ae-b2': {
    description: 'Grey conv autoencoder, stride-2 convs 1→16→32, bottleneck 2 channels at H/4×W/4: compression 8:1.',
    network: convAe(2),
  },
  'conv-ae-b4': {
    description: 'Grey conv autoencoder, stride-2 convs 1→16→32, bottleneck 4 channels at H/4×W/4: compression 4:1.',
    network: convAe(4),
  },
  'conv-ae-b8': {
    description: 'Grey conv autoencoder, stride-2 convs 1→16→32, bottleneck 8 channels at H/4×W/4: compression 2:1.',
    network: convAe(8),
  },
  'conv-vae-b4': {
    description: 'Convolutional VAE: the conv-ae-b4 layout with Gaussian latent maps (μ and log σ² heads).',
    network: convAe(4),
    variant: { type: 'variational', beta: 1 },
  },
  'digits-ae': {
    description: 'Dense autoencoder for 8×8 digits, 64-32-2-32-64, 2-D latent for plotting.',
    network: digits([64, 32, 2, 32, 64]),
  },
  'digits-dae': {
    description: 'Denoising dense autoencoder for 8×8 digits, 64-32-2-32-64, Gaussian noise σ = 50.',
    network: digits([64, 32, 2, 32, 64]),
    noise: { type: 'gaussian', sigma: 50 },
  },
  'digits-vae': {
    description: 'Variational autoencoder for 8×8 digits, 64-32-2-32-64, 2-D Gaussian latent.',
    network: digits([64, 32, 2, 32, 64]),
    variant: { type: 'variational', beta: 1 },
  },
  'digits-sparse': {
    description: 'Overcomplete sparse autoencoder for 8×8 digits, 64-100-64, sigmoid code, KL sparsity to ρ = 0.05.',
    network: digits([64, 100, 64], 'sigmoid'),
    variant: { type: 'sparse', penalty: 'kl', target: 0.05, weight: 0.1 },
  },
  'digits-contractive': {
    description: 'Contractive autoencoder for 8×8 digits, 64-16-64, sigmoid code, penalty λ‖∂z/∂x‖²_F.',
    network: digits([64, 16, 64], 'sigmoid'),
    variant: { type: 'contractive', weight: 0.01 },
  },
};

export const PRESET_NAMES: readonly string[] = Object.keys(definitions);

export function preset(name: string): Architecture | undefined {
  const d = Object.hasOwn(definitions, name) ? definitions[name] : undefined;
  return d ? architecture({ name, ...d }) : undefined;
}
