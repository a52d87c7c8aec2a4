using Glassbox.Models;

namespace Glassbox.App;

/// <summary>Settings of the demo pipeline (<c>glassbox demo</c>).</summary>
/// <param name="DataFolder">An MNIST-format folder (train-*/t10k-* IDX files, raw or .gz).</param>
/// <param name="OutputFolder">Where the report, figures, metrics, checkpoints and attributions go.</param>
/// <param name="Architecture">Classifier architecture.</param>
/// <param name="Epochs">Training epochs for each model.</param>
/// <param name="BatchSize">Training batch size.</param>
/// <param name="BackgroundSize">Background images of methods that average over a baseline distribution (DeepSHAP), sampled from the training data.</param>
/// <param name="PlotImages">Test images shown in the image plot (all classes each).</param>
/// <param name="ReliabilityImages">Validation images explained by both models (0 = all of the 20 % split).</param>
/// <param name="Seed">Seeds weight initialisation, shuffling and background sampling.</param>
/// <param name="SplitSeed">Seed of the 80/20 split of the training data.</param>
/// <param name="Device">cpu, cuda or auto.</param>
/// <param name="Threads">libtorch threads (0 = its default).</param>
/// <param name="PairsPerChunk">Internal batch size of methods that take one: (input, background) pairs per chunk for DeepSHAP.</param>
/// <param name="Method">Catalog name of the attribution method (see <c>MethodCatalog</c>).</param>
/// <param name="Generator">When set (<c>--generator</c>), the demo also trains, evaluates and explains a VAE and a DCGAN (<see cref="DemoGenerator"/>).</param>
public sealed record DemoOptions(
    string DataFolder = "data/mnist-sample",
    string OutputFolder = "glassbox-out",
    string Architecture = Models.Architecture.ReferenceCnn,
    int Epochs = 2,
    int BatchSize = 64,
    int BackgroundSize = 100,
    int PlotImages = 5,
    int ReliabilityImages = 200,
    int Seed = 0,
    int SplitSeed = 42,
    string Device = "cpu",
    int Threads = 0,
    int PairsPerChunk = 200,
    string Method = "deep-shap",
    DemoGeneratorOptions? Generator = null);
