using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Generation;

/// <summary>Penultimate-layer features (N×D, row-major) and softmax probabilities (N×K) of a set of images.</summary>
public sealed record ClassifierFeatureSet(float[] Features, int Rows, int Dimensions, float[] Probabilities, int Classes)
{
    /// <summary>The features as a double matrix for the metrics.</summary>
    public double[,] FeatureMatrix() => ToMatrix(Features, Rows, Dimensions);

    /// <summary>The probabilities as a double matrix for the Inception Score.</summary>
    public double[,] ProbabilityMatrix() => ToMatrix(Probabilities, Rows, Classes);

    private static double[,] ToMatrix(float[] data, int rows, int cols)
    {
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = data[(long)i * cols + j];
        return m;
    }
}

/// <summary>
/// Features for generative-model metrics from a trained classifier instead of Inception-v3, and its softmax outputs for
/// the Inception Score (Salimans et al. 2016). The features are the activations entering the final Linear layer; when
/// that input is a flattened C×H×W feature map, it is averaged over space to C values first, as FID's Inception pool3
/// features are the global average of the last feature map (Heusel et al. 2017; pytorch-fid's 64/192/768/2048 blocks are
/// pooled the same way). Without pooling the reference CNN would give 64·24·24 = 36,864 features per image, whose
/// covariance (10.9 GB in float64) no machine here holds; pooled it gives 64. Images are fed in batches; only the N×D and
/// N×K results are kept.
/// </summary>
public sealed class ClassifierFeatures
{
    private readonly ImageClassifier _model;
    private readonly IReadOnlyList<nn.Module<Tensor, Tensor>> _layers;
    private readonly int _lastLinear;

    /// <summary>Checks that the classifier exposes its layers and ends in a Linear layer.</summary>
    public ClassifierFeatures(IImageModel model)
    {
        if (model is not ImageClassifier c || c.Layers is not { } layers)
            throw new GlassboxException($"The classifier ({model.Info.Architecture}, {model.Kind}) has no visible list of layers, so its penultimate-layer features cannot be read. "
                + "Use a sequential checkpoint from `glassbox train` (reference-cnn or pooled-cnn).");
        int last = -1;
        for (int i = 0; i < layers.Count; i++) if (layers[i] is TorchSharp.Modules.Linear) last = i;
        if (last < 0)
            throw new GlassboxException($"The classifier ({c.Info.Architecture}) has no Linear layer, so it has no penultimate layer to take features from. Use a checkpoint from `glassbox train`.");
        _model = c;
        _layers = layers;
        _lastLinear = last;
    }

    /// <summary>The classifier's input shape.</summary>
    public ModelInfo Info => _model.Info;

    /// <summary>
    /// Runs <paramref name="count"/> images through the classifier, <paramref name="batchSize"/> at a time;
    /// <paramref name="batch"/>(start, size) returns size×C×H×W pixels in [0,1] (disposed here).
    /// <paramref name="maxBytes"/> bounds the N×D + N×K result before it is allocated.
    /// </summary>
    public ClassifierFeatureSet Compute(int count, Func<int, int, Tensor> batch, int batchSize = 256, long maxBytes = long.MaxValue)
    {
        if (count < 1) throw new GlassboxException($"Feature extraction needs at least one image, not {count}.");
        if (batchSize < 1) throw new GlassboxException($"The batch size must be at least 1, not {batchSize}.");
        float[]? features = null, probs = null;
        int d = 0, k = 0;
        for (int start = 0; start < count; start += batchSize)
        {
            int size = Math.Min(batchSize, count - start);
            using var scope = NewDisposeScope();
            using var no = no_grad();
            var x = batch(start, size);
            var info = _model.Info;
            if (x.dim() != 4 || x.shape[0] != size || x.shape[1] != info.Channels || x.shape[2] != info.Height || x.shape[3] != info.Width)
                throw new GlassboxException($"Images of shape [{string.Join(", ", x.shape)}] do not fit the classifier, which takes {size}×{info.Channels}×{info.Height}×{info.Width}.");
            var h = _model.Preprocess(x.to(_model.Device));
            Tensor? pooled = null;
            for (int i = 0; i < _lastLinear; i++)
            {
                // The map a Flatten turns into the last Linear's input is globally average-pooled (see the class summary);
                // a layer between them other than dropout makes its own output the features.
                if (_layers[i] is TorchSharp.Modules.Flatten && h.dim() == 4) pooled = h.mean([2, 3]);
                else if (_layers[i] is not TorchSharp.Modules.Dropout) pooled = null;
                h = _layers[i].forward(h);
            }
            var f = (pooled ?? h.flatten(1)).to_type(ScalarType.Float32).cpu();
            var logits = h;
            for (int i = _lastLinear; i < _layers.Count; i++) logits = _layers[i].forward(logits);
            var p = logits.to_type(ScalarType.Float64).softmax(1).to_type(ScalarType.Float32).cpu();
            if (features is null)
            {
                d = (int)f.shape[1];
                k = (int)p.shape[1];
                long bytes = (long)count * (d + k) * sizeof(float) * 3; // floats here + the double matrices of the metrics
                if (bytes > maxBytes)
                    throw new GlassboxException($"{count} images × {d} features need about {bytes / (1 << 20)} MB, more than the {maxBytes / (1 << 20)} MB available. Use a smaller -n.");
                features = new float[(long)count * d];
                probs = new float[(long)count * k];
            }
            f.data<float>().CopyTo(features, start * d);
            p.data<float>().CopyTo(probs!, start * k);
        }
        return new ClassifierFeatureSet(features!, count, d, probs!, k);
    }
}
