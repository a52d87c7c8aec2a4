using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.IO;
using Glassbox.Tests.Data;
using Glassbox.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Generation;

/// <summary>
/// The generators compute what the same networks compute in PyTorch 1.13: weights set to the closed-form values of
/// tools/fixtures/make_generator_fixture.py, outputs compared with the recorded ones in tests/fixtures/generators.
/// </summary>
[Collection(SerialCollection.Name)]
public class GeneratorParityTests
{
    private const float Tolerance = 1e-5f;

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "generators", name + ".npy");

    private static Tensor Load(string name)
    {
        var data = NpyFile.ReadFloat32(Fixture(name), out int[] shape);
        return torch.tensor(data, shape.Select(d => (long)d).ToArray());
    }

    /// <summary>Every state_dict tensor filled as the fixture script fills it (see its docstring).</summary>
    private static void Fill(IGenerativeModel model)
    {
        var state = model.Module.state_dict();
        var tensors = new Dictionary<string, SafeTensor>();
        var names = state.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        for (int k = 0; k < names.Count; k++)
        {
            string name = names[k];
            long[] shape = state[name].shape;
            long n = shape.Aggregate(1L, (a, b) => a * b);
            var v = new float[n];
            for (long i = 0; i < n; i++)
            {
                double s = Math.Sin(0.37 * i + 0.11 * k + 0.5);
                v[i] = (float)(name.EndsWith("running_var", StringComparison.Ordinal) ? 1 + 0.5 * s
                    : name.EndsWith("running_mean", StringComparison.Ordinal) ? 0.1 * s
                    : name.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? 0
                    : name.EndsWith("weight", StringComparison.Ordinal) && shape.Length == 1 ? 1 + 0.2 * s
                    : name.EndsWith("bias", StringComparison.Ordinal) ? 0.1 * s
                    : s / Math.Sqrt((double)n / shape[0]));
            }
            tensors[name] = new SafeTensor(shape, v);
        }
        GeneratorCheckpoint.LoadWeights(model, tensors, "closed-form weights");
        model.SetTraining(false);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (expected - actual.detach().cpu()).abs().max();
        float max = diff.item<float>();
        Assert.True(max <= Tolerance, $"{what}: max |PyTorch − Glassbox| = {max}");
    }

    [Theory]
    [InlineData("vae", false)]
    [InlineData("cvae", true)]
    public void Vae_EncoderAndDecoder_MatchPyTorch(string name, bool conditional)
    {
        using var scope = NewDisposeScope();
        using var vae = new Vae(new VaeOptions(ClassNames: conditional ? MnistFormat.DigitClassNames : null));
        Fill(vae);
        var labels = conditional ? Load("labels").to_type(ScalarType.Int64) : null;
        using var noGrad = no_grad();
        AssertClose(Load(name + "_decoded"), vae.Decode(Load(name + "_z"), labels), "decoder");
        var (mu, logVar) = vae.Encode(Load("x"), labels);
        AssertClose(Load(name + "_mu"), mu, "mu");
        AssertClose(Load(name + "_logvar"), logVar, "log-variance");
    }

    [Theory]
    [InlineData("cdcgan", true, GeneratorOutput.Sigmoid)]
    [InlineData("dcgan_tanh", false, GeneratorOutput.Tanh)]
    public void Dcgan_GeneratorAndDiscriminator_MatchPyTorch(string name, bool conditional, GeneratorOutput output)
    {
        using var scope = NewDisposeScope();
        using var gan = new Dcgan(new DcganOptions(Output: output, ClassNames: conditional ? MnistFormat.DigitClassNames : null));
        Fill(gan);
        var labels = conditional ? Load("labels").to_type(ScalarType.Int64) : null;
        using var noGrad = no_grad();
        // Batch norm in evaluation mode uses the (non-trivial) running statistics of the fixture.
        AssertClose(Load(name + "_decoded"), gan.Decode(Load(name + "_z"), labels), "generator");
        var x = Load("x");
        AssertClose(Load(name + "_d_logits"), gan.Discriminate(output == GeneratorOutput.Tanh ? x * 2 - 1 : x, labels), "discriminator");
    }
}
