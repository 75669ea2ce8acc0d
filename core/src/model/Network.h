#pragma once
// The torch model layer: component shapes and initialisation for the two root architectures,
// the functional forward pass over a route of components, and the SGD trainer of a route.
//
// Images are float32 [N, 3, H, W] with values in [-1, 1]; labels are int64 [N] in [0, C).
// A route is the list of a path's components in routeSlots(arch, numBlocks) order.
//
// ViT (pre-LayerNorm), width D, patch p, heads h, MLP dim M, grid g = imageSize / p:
//   embedding  weight [D,3,p,p], bias [D]         patch convolution, stride p (stem "patch"), or
//              with stem "conv": conv0.weight [c0,3,3,3], conv0.bias [c0], ..., conv{k-1}.weight
//              [D,c{k-2},3,3], conv{k-1}.bias [D] with k = log2(p), c_j = convStemChannels():
//              k 3x3 convolutions of stride 2, padding 1, ReLU between them
//   cls        token [1,1,D]                      prepended class token
//   posembed   embedding [1,g*g+1,D]              added, class slot first
//   block_i    ln1.weight/bias [D], qkv.weight [3D,D] (q, k, v stacked in that order),
//              qkv.bias [3D], proj.weight [D,D], proj.bias [D], ln2.weight/bias [D],
//              fc1.weight [M,D], fc1.bias [M], fc2.weight [D,M], fc2.bias [D]
//              x += proj(attention(ln1(x))); x += fc2(gelu(fc1(ln2(x))))   (exact erf GELU)
//   norm       weight/bias [D]                    LayerNorm of the class token
//   head       weight [C,D], bias [C]             logits = head(norm(x)[:, 0])
// CNN, W channels (works at any image size):
//   embedding  weight [W,3,3,3], bias [W]         relu(conv3x3 stride 2 padding 1)
//   block_i    conv1.weight [W,W,3,3], conv1.bias [W], conv2.weight [W,W,3,3], conv2.bias [W]
//              x = relu(x + conv2(relu(conv1(x))))  (3x3, stride 1, padding 1)
//   norm       weight/bias [W]                    LayerNorm over channels of the global average
//   head       weight [C,W], bias [C]
// Every LayerNorm uses epsilon kLayerNormEps.
#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/ComponentTensors.h"
#include "mu2net/common/Rng.h"
#include "mu2net/model/Architecture.h"
#include "mu2net/model/OptimizerKind.h"
#include "mu2net/model/Precision.h"

namespace mu2net {

/// LayerNorm epsilon of every norm in both architectures (the value of the JAX ViT).
inline constexpr double kLayerNormEps = 1e-6;

/// Parameter shapes of the component in `slot` ("embedding", "cls", "posembed", "block_<i>",
/// "norm", "head"), in storage order. numClasses (> 0) is used by "head" only, imageSize (pixels,
/// a multiple of patchSize) by the ViT "posembed" only. Throws std::invalid_argument for a slot
/// the architecture does not have or for unusable sizes.
std::vector<std::vector<int64_t>> componentShapes(const ArchitectureConfig& arch,
                                                  const std::string& slot, int numClasses,
                                                  int imageSize);
/// Parameter names of the component in `slot`, in storage order (see the table above).
std::vector<std::string> componentParamNames(const ArchitectureConfig& arch,
                                             const std::string& slot);
/// True iff `component` has exactly these parameter shapes, in this order.
bool fitsShapes(const ComponentTensors& component, const std::vector<std::vector<int64_t>>& shapes);

/// A freshly initialised component for `slot`, with zero momentum. Every value is drawn from
/// `rng` (never from torch's global generator), in parameter order, elements in row-major order,
/// so equal Rng states give bit-identical components. Initialisations (for training from scratch):
///   ViT embedding weight: LeCun normal, std 1/sqrt(3 p p) (as the JAX ViT); bias zeros. Conv
///     stem: Kaiming normal (ReLU gain) for the inner convolutions, LeCun normal for the last.
///   cls: zeros. posembed: normal, std 0.02.
///   ViT block: LayerNorm weights ones, biases zeros; qkv, proj, fc1, fc2 weights Xavier uniform,
///     bound sqrt(6 / (fan_in + fan_out)), with qkv counted as three D x D matrices; biases zeros.
///   CNN embedding and conv1: Kaiming normal (fan_in, ReLU gain), std sqrt(2 / (9 c_in)); biases 0.
///   CNN conv2: Kaiming normal scaled by kCnnResidualInitScale, so that a block starts close to
///     the identity and a deep stack without normalisation layers trains stably; bias zeros.
///   norm: weight ones, bias zeros.
///   head: always all zeros (weight and bias), so a new head starts at uniform predictions and a
///     reused trunk's features are not disturbed by random logits.
std::shared_ptr<ComponentTensors> initComponent(const ArchitectureConfig& arch,
                                                const std::string& slot, int numClasses,
                                                int imageSize, Rng& rng);

/// Scale of the CNN blocks' second convolution at initialisation (see initComponent()).
inline constexpr double kCnnResidualInitScale = 0.1;

/// A ViT position embedding re-interpolated from the grid of fromImageSize to that of toImageSize
/// (both multiples of patchSize): bilinear over the patch grid with align_corners=false, the class
/// slot copied unchanged, momentum zeros, fresh storage. At equal sizes it is an exact copy.
/// Throws std::invalid_argument if posembed does not have the shape of fromImageSize.
std::shared_ptr<ComponentTensors> resizePosEmbed(const ComponentTensors& posembed,
                                                 const ArchitectureConfig& arch, int fromImageSize,
                                                 int toImageSize);

/// Logits [N, C] of `route` (routeSlots(arch, n) order; n inferred from route.size(), n >= 0)
/// for images [N, 3, H, W]. The components at indices < firstTrainable form a frozen prefix that
/// is computed without autograd (no graph is built for it); with firstTrainable >= route.size()
/// the whole pass is graph-free. For the ViT, H and W must give the grid of the posembed
/// component (use resizePosEmbed for other sizes). `precision` (never Auto) says which components
/// run under bfloat16 autocast: none, those of the frozen prefix, or all. Throws
/// std::invalid_argument on a malformed route or input.
torch::Tensor forwardRoute(const ArchitectureConfig& arch,
                           const std::vector<const ComponentTensors*>& route,
                           const torch::Tensor& images, std::size_t firstTrainable,
                           Precision precision = Precision::Float32);

/// The components [begin, end) of `route` applied to `input`: the images when begin is 0, else
/// what forwardSlots(…, 0, begin, …) returned for them. Splitting a pass anywhere gives, bit for
/// bit, the result of the whole pass (a component's output under autocast is returned to float32
/// before the next one, in a whole pass as in a split one). Otherwise as forwardRoute.
torch::Tensor forwardSlots(const ArchitectureConfig& arch,
                           const std::vector<const ComponentTensors*>& route,
                           const torch::Tensor& input, std::size_t begin, std::size_t end,
                           std::size_t firstTrainable, Precision precision = Precision::Float32);

/// The class each image is predicted to be: the arg-max logit [N] (no autograd; evaluated in
/// chunks).
torch::Tensor predictClasses(const ArchitectureConfig& arch,
                             const std::vector<const ComponentTensors*>& route,
                             const torch::Tensor& images);

/// Arg-max classes [N] of the components [begin, end of route) applied to `input` (as
/// forwardSlots), in chunks, without autograd; the components below firstTrainable count as
/// frozen for `precision`.
torch::Tensor predictClassesFrom(const ArchitectureConfig& arch,
                                 const std::vector<const ComponentTensors*>& route,
                                 const torch::Tensor& input, std::size_t begin,
                                 std::size_t firstTrainable, Precision precision);

/// Number of images whose arg-max logit equals the label (predictClasses; timed as evaluation).
int64_t countCorrect(const ArchitectureConfig& arch,
                     const std::vector<const ComponentTensors*>& route, const torch::Tensor& images,
                     const torch::Tensor& labels);

/// Optimiser hyperparameters of one child's training run.
struct OptimizerHParams {
  /// Peak learning rate (reached at the end of warm-up); > 0.
  double learningRate = 0.01;
  /// SGD: momentum coefficient m in [0, 1). AdamW: β1 (the first moment's decay) in [0, 1).
  double momentum = 0.9;
  /// SGD only: Nesterov momentum instead of heavy-ball momentum.
  bool nesterov = false;
  /// Fraction of totalSteps spent in linear warm-up, in [0, 1].
  double warmupRatio = 0.05;
  /// Length of the schedule in optimiser steps (> 0); the rate is 0 from this step on.
  int64_t totalSteps = 512;
  /// Which update rule (see RouteTrainer).
  OptimizerKind optimizer = OptimizerKind::Sgd;
  /// Decoupled weight decay λ >= 0 (both optimisers): before each update, every weight matrix
  /// and convolution kernel w (a parameter named "...weight" with two or more dimensions; not
  /// biases, norms, tokens or position embeddings) becomes w (1 − lr λ).
  double weightDecay = 0.0;
};

/// AdamW's second-moment decay β2 and its ε (PyTorch's defaults).
inline constexpr double kAdamBeta2 = 0.999;
inline constexpr double kAdamEpsilon = 1e-8;

/// Learning rate of (0-based) optimiser step `step`: with w = round(warmupRatio * totalSteps),
/// linear from lr/100 at step 0 to lr at step w, then lr * (1 + cos(pi * (step - w) /
/// (totalSteps - w))) / 2, which is 0 at step totalSteps and after. Negative steps give lr/100.
double learningRateAt(const OptimizerHParams& hparams, int64_t step);

/// Wall time the calling thread spent in model compute, for benchmarks that split a run into
/// compute and overhead: RouteTrainer::step (forward, backward, clipping, update) and
/// countCorrect (evaluation forward); the engine adds what it times itself (a generation's shared
/// frozen prefixes as training, GenerationTrainer::evaluate as evaluation). Accumulated per
/// thread since its start; reset it by assigning {}. Costs two clock reads per call.
struct ComputeTime {
  double trainSeconds = 0;  ///< inside RouteTrainer::step and the shared prefixes
  int64_t trainSteps = 0;
  double evalSeconds = 0;  ///< inside countCorrect or GenerationTrainer::evaluate
  int64_t evalImages = 0;
};
/// This thread's accumulator.
ComputeTime& threadComputeTime();

/// Maximum global L2 norm of the gradients of one step (over all trainable parameters).
inline constexpr double kGradClipNorm = 1.0;

/// Trains the trainable components of a route in place with SGD or AdamW.
///
/// Each step: softmax cross-entropy (mean over the batch), backward through the trainable
/// components only (frozen ones have requires_grad false and sit, when they form a prefix, in a
/// graph-free part of the forward), gradient clipping to global norm kGradClipNorm (coefficient
/// 1 / (norm + 1e-6) when the norm exceeds it, as torch.nn.utils.clip_grad_norm_), decoupled
/// weight decay (see OptimizerHParams::weightDecay), then for each trainable parameter p with
/// clipped gradient g, lr = learningRateAt(step), and t = the 1-based step number:
///   SGD, with the component's own momentum buffer buf: buf = m buf + g;
///     p -= lr (g + m buf) if nesterov, else p -= lr buf.
///   AdamW (as torch.optim.AdamW, β1 = momentum): a = β1 a + (1 − β1) g;
///     b = β2 b + (1 − β2) g²; p -= lr / (1 − β1^t) · a / (sqrt(b / (1 − β2^t)) + ε).
///     The moments a and b belong to the trainer and start at zero with each child (Adam's bias
///     correction makes that the usual start of a fine-tuning run); the components' SGD momentum
///     buffers are zeroed, so a later SGD child starts its momentum afresh too.
/// Frozen components are never written. Gradients are released after each step.
/// requires_grad is true on the trainable parameters only while the trainer exists: the destructor
/// sets it back to false, so components at rest never require grad and constructing a trainer
/// writes no flag of a (possibly shared) frozen component.
/// A trainer is not thread-safe; distinct trainers may read shared frozen components from
/// different threads.
class RouteTrainer {
 public:
  /// route in routeSlots order; trainable[i] tells whether route[i] is trained. Sets
  /// requires_grad on every parameter accordingly. Throws std::invalid_argument on size mismatch,
  /// a null component or a momentum buffer whose shape differs from its parameter.
  RouteTrainer(const ArchitectureConfig& arch, std::vector<std::shared_ptr<ComponentTensors>> route,
               std::vector<bool> trainable, OptimizerHParams hparams,
               Precision precision = Precision::Float32);
  ~RouteTrainer();
  RouteTrainer(const RouteTrainer&) = delete;
  RouteTrainer& operator=(const RouteTrainer&) = delete;
  RouteTrainer(RouteTrainer&&) = default;

  /// One optimiser step on a batch (images float [N,3,H,W], labels int64 [N]); returns the loss
  /// of the batch before the update.
  double step(const torch::Tensor& images, const torch::Tensor& labels);
  /// step() from the activations of the route's first `begin` components for the batch (as
  /// forwardSlots(…, 0, begin, …) returns them; begin <= frozenPrefix()): bit for bit the step
  /// that step() takes on the images.
  double stepFrom(const torch::Tensor& input, std::size_t begin, const torch::Tensor& labels);
  /// Number of leading components that are frozen (the index of the first trainable one).
  std::size_t frozenPrefix() const { return firstTrainable_; }
  /// Number of step() calls so far (the schedule position).
  int64_t stepsDone() const { return steps_; }
  /// Global gradient norm before clipping of the last step (0 before the first step).
  double lastGradNorm() const { return lastGradNorm_; }
  /// AdamW's moments (every trainable parameter's first moment, then every second moment, in
  /// parameter order); empty for SGD, whose state is the components' momentum buffers.
  std::vector<torch::Tensor> adamState() const;
  /// Continues a run: sets the schedule position and, for AdamW, copies saved moments (as
  /// returned by adamState()) into the trainer. Throws std::invalid_argument on a count or shape
  /// mismatch.
  void restore(int64_t stepsDone, const std::vector<torch::Tensor>& adamState);
  const OptimizerHParams& hparams() const { return hparams_; }
  const std::vector<std::shared_ptr<ComponentTensors>>& route() const { return route_; }

 private:
  ArchitectureConfig arch_;
  std::vector<std::shared_ptr<ComponentTensors>> route_;
  std::vector<const ComponentTensors*> rawRoute_;
  std::vector<bool> trainable_;
  OptimizerHParams hparams_;
  Precision precision_ = Precision::Float32;
  std::size_t firstTrainable_ = 0;
  std::vector<torch::Tensor> params_;     // trainable parameters, flattened over components
  std::vector<torch::Tensor> momentum_;   // their momentum buffers, same order
  std::vector<bool> decay_;               // weight decay applies to the parameter
  std::vector<torch::Tensor> adamFirst_;  // AdamW moments, same order (empty for SGD)
  std::vector<torch::Tensor> adamSecond_;
  int64_t steps_ = 0;
  double lastGradNorm_ = 0.0;
};

}  // namespace mu2net
