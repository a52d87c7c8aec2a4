using Glassbox.Attribution;
using Glassbox.Attribution.Cam;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Propagation;
using Glassbox.Checkpoints;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Glassbox.Tests.Models.Residual;

/// <summary>The built-in ResNet-8 (<see cref="Architecture.ResNetSmall"/>): torchvision keys, its graph of visible nodes, checkpoints and the propagation methods on it.</summary>
public class ResNetSmallTests(ITestOutputHelper log)
{
    /// <summary>
    /// A resnet-small with every float tensor drawn from its own seeded generator (independent of libtorch's global one,
    /// which parallel tests share): weights around He scale, batch norms far from identity (γ, β, running mean and variance).
    /// </summary>
    public static ImageClassifier Random(int seed, int size = 8, int classes = 3, int channels = 1)
    {
        var model = new ImageClassifier(GradientTestModels.Info(channels, size, size, classes, Architecture.ResNetSmall));
        using var noGrad = torch.no_grad();
        int i = 0;
        foreach (var (key, p) in model.Network.state_dict())
        {
            if (p.dtype != ScalarType.Float32) continue;
            var g = new Generator((ulong)(seed * 1000 + i++));
            Tensor value = key switch
            {
                _ when key.EndsWith("running_var") => torch.rand(p.shape, generator: g) + 0.5,
                _ when key.EndsWith("running_mean") => torch.randn(p.shape, generator: g) * 0.2,
                _ when key.EndsWith(".weight") && p.dim() == 1 => torch.rand(p.shape, generator: g) + 0.5,
                _ when key.EndsWith(".bias") => torch.randn(p.shape, generator: g) * 0.1,
                _ => torch.randn(p.shape, generator: g) * Math.Sqrt(2.0 / (p.numel() / p.shape[0])),
            };
            p.copy_(value);
        }
        return model;
    }

    private static Tensor Images(int n, int seed, int size = 8) => torch.rand([n, 1, size, size], generator: new Generator((ulong)seed));

    private static void AssertComplete(Explanation e, string what)
    {
        Assert.NotNull(e.AdditivityErrors);
        for (int i = 0; i < e.AdditivityErrors!.Length; i++)
            Assert.True(e.AdditivityErrors[i] <= 1e-4 * Math.Max(1, Math.Abs(e.Outputs[i])),
                $"{what}: |f(x) − base − Σφ| = {e.AdditivityErrors[i]:E2} at {i} (f = {e.Outputs[i]:F4})");
    }

    [Fact]
    public void StateDict_HasTorchvisionBasicBlockKeys_WithRunningStats()
    {
        using var model = new ImageClassifier(GradientTestModels.Info(1, 28, 28, 10, Architecture.ResNetSmall));
        string[] Bn(string p) => [$"{p}.weight", $"{p}.bias", $"{p}.running_mean", $"{p}.running_var", $"{p}.num_batches_tracked"];
        string[] Block(string p, bool down) =>
            [$"{p}.conv1.weight", .. Bn($"{p}.bn1"), $"{p}.conv2.weight", .. Bn($"{p}.bn2"), .. down ? [$"{p}.downsample.0.weight", .. Bn($"{p}.downsample.1")] : Array.Empty<string>()];
        string[] expected = ["conv1.weight", .. Bn("bn1"), .. Block("layer1.0", false), .. Block("layer2.0", true), .. Block("layer3.0", true), "fc.weight", "fc.bias"];
        var state = model.Network.state_dict();
        Assert.Equal(expected.Order(), state.Keys.Order());
        Assert.Equal([16, 1, 3, 3], state["conv1.weight"].shape);
        Assert.Equal([32, 16, 3, 3], state["layer2.0.conv1.weight"].shape);
        Assert.Equal([32, 16, 1, 1], state["layer2.0.downsample.0.weight"].shape);
        Assert.Equal([64, 64, 3, 3], state["layer3.0.conv2.weight"].shape);
        Assert.Equal([64], state["layer3.0.downsample.1.running_var"].shape);
        Assert.Equal([10, 64], state["fc.weight"].shape);
        using var logits = model.Forward(torch.rand(2, 1, 28, 28));
        Assert.Equal([2, 10], logits.shape);
    }

    [Fact]
    public void NodeGraph_ComputesTheForward_WithNodesNamedAfterTheModules()
    {
        using var model = Random(1);
        Assert.Null(model.Layers);
        var graph = Assert.IsType<Glassbox.Models.Graph.GraphModel>(model.NodeGraph);
        Assert.Equal(ModelKind.BuiltIn, graph.Kind);
        Assert.True(ModelCapabilities.HasVisibleLayers(model));
        var names = graph.Nodes.Select(n => n.Name).ToList();
        Assert.Equal("conv1", names[1]);
        Assert.Equal("fc", names[^1]);
        Assert.Contains("layer2.0.downsample.0", names);
        Assert.Equal(3, graph.Nodes.Count(n => n.OpType == "Add"));
        Assert.Equal(9, graph.Nodes.Count(n => n.OpType == "BatchNormalization"));
        // The first block has an identity shortcut: its sum reads the stem's ReLU.
        var add1 = graph.Nodes.Single(n => n.Name == "layer1.0.add");
        Assert.Equal(names.IndexOf("relu"), add1.Inputs[1]);

        var x = Images(4, 2);
        var expected = model.Forward(x).data<float>().ToArray();
        GradientTestModels.Close(expected, graph.Forward(x).data<float>().ToArray(), 1e-5);
        var trace = LayerGraph.FromModel(model, "test");
        Assert.Equal(graph.Nodes.Count - 1, trace.Nodes.Count);
        GradientTestModels.Close(expected, trace.Output(model.Preprocess(x)).data<float>().ToArray(), 1e-5);
    }

    [Fact]
    public void NodeGraph_ReadsTheNetworksOwnWeights_AfterTheyChange()
    {
        using var model = Random(3);
        var x = Images(2, 4);
        var before = model.NodeGraph!.Forward(x).data<float>().ToArray();
        using (var source = Random(5))
        {
            var state = source.Network.state_dict().ToDictionary(kv => kv.Key, kv =>
            {
                using var t = kv.Value.detach().to_type(ScalarType.Float32).contiguous();
                return new SafeTensor(t.shape, t.data<float>().ToArray());
            });
            Checkpoint.LoadWeights(model, state, "other weights");
        }
        var after = model.NodeGraph!.Forward(x).data<float>().ToArray();
        Assert.NotEqual(before, after);
        GradientTestModels.Close(model.Forward(x).data<float>().ToArray(), after, 1e-5);
    }

    [Fact]
    public void Checkpoint_SavesAndReloads_WithRunningStats_InEvaluationMode()
    {
        using var dir = new Glassbox.Tests.IO.TempDirectory();
        using var model = Random(7, size: 12);
        // A few training-mode passes move the running statistics away from what Random set.
        model.SetTraining(true);
        using (torch.no_grad()) for (int i = 0; i < 3; i++) model.Forward(Images(8, 20 + i, 12)).Dispose();
        model.SetTraining(false);
        string folder = Path.Combine(dir.Path, "ckpt");
        Checkpoint.Save(folder, model);

        var tensors = SafeTensors.Read(File.ReadAllBytes(Path.Combine(folder, Checkpoint.WeightsFile)), "saved");
        Assert.Contains("layer2.0.downsample.1.running_mean", tensors.Keys);
        Assert.Equal(3f, tensors["bn1.num_batches_tracked"].Data.Single());
        Assert.Equal(model.Network.state_dict()["layer3.0.bn2.running_var"].data<float>().ToArray(), tensors["layer3.0.bn2.running_var"].Data);

        var (loaded, meta) = Checkpoint.Load(folder);
        using (loaded)
        {
            Assert.Equal(Architecture.ResNetSmall, meta.Model.Architecture);
            var x = Images(3, 9, 12);
            Assert.Equal(model.Forward(x).data<float>().ToArray(), loaded.Forward(x).data<float>().ToArray());
            // Evaluation mode: an image's logits do not depend on the rest of the batch.
            GradientTestModels.Close(loaded.Forward(x).narrow(0, 0, 1).data<float>().ToArray(), loaded.Forward(x.narrow(0, 0, 1)).data<float>().ToArray(), 1e-5);
            Assert.Equal(3L, loaded.Network.state_dict()["bn1.num_batches_tracked"].item<long>());
            Assert.NotNull(loaded.NodeGraph);
        }
    }

    [Fact]
    public void DeepLiftFamily_IsComplete_OnResNetSmall()
    {
        using var model = Random(11);
        var x = Images(3, 12);
        var background = Images(5, 13);
        var dl = new DeepLift(model, new DeepLiftOptions(Baselines: Baseline.FromImages(Images(3, 14)))).Attribute(x, TargetSelection.AllClasses);
        var zero = new DeepLift(model).Attribute(x, TargetSelection.AllClasses);
        var dls = new DeepLiftShap(model, background).Attribute(x, TargetSelection.AllClasses);
        var ds = new DeepShap(model, background).Attribute(x, TargetSelection.AllClasses);
        var probs = new DeepShap(model, background, new DeepShapOptions(Output: OutputSpace.Probabilities)).Attribute(x, TargetSelection.AllClasses);
        foreach (var (e, what) in new[] { (dl, "deep-lift"), (zero, "deep-lift (zeros)"), (dls, "deep-lift-shap"), (ds, "deep-shap"), (probs, "deep-shap (probabilities)") })
        {
            Assert.True(e.AdditivityGuaranteed, what);
            AssertComplete(e, what);
        }
        log.WriteLine($"resnet-small completeness: deep-lift {dl.MaxAdditivityError:E2}, deep-lift-shap {dls.MaxAdditivityError:E2}, deep-shap {ds.MaxAdditivityError:E2}, probabilities {probs.MaxAdditivityError:E2}");
        // Not gradient × input in disguise: the rescale rule differs from it on this network.
        Assert.NotEqual(new InputXGradient(model).Attribute(x, TargetSelection.AllClasses).Values, zero.Values);
    }

    [Fact]
    public void IntegratedGradients_Converges_OnResNetSmall()
    {
        using var model = Random(13);
        var x = Images(2, 15);
        double Worst(int steps)
        {
            var e = new IntegratedGradients(model, new IntegratedGradientsOptions(NSteps: steps)).Attribute(x, TargetSelection.PerInput(0, 2));
            return Enumerable.Range(0, e.Outputs.Length).Max(i => Math.Abs(e.Delta(i)) / Math.Max(1, Math.Abs(e.Outputs[i])));
        }
        // A ReLU network is piecewise linear along the path: the quadrature error shrinks as the steps resolve its kinks.
        double coarse = Worst(4), middle = Worst(64), fine = Worst(1024);
        log.WriteLine($"IG relative delta: 4 steps {coarse:E2}, 64 steps {middle:E2}, 1024 steps {fine:E2}");
        Assert.True(fine < 1e-3, $"1024 steps: relative delta {fine:E2}");
        Assert.True(fine < middle && middle < coarse, $"delta does not shrink: {coarse:E2} → {middle:E2} → {fine:E2}");
    }

    [Fact]
    public void GradientRules_OnTheTracedGraph_EqualAutograd()
    {
        using var model = Random(17);
        var x = Images(3, 18);
        var graph = LayerGraph.FromModel(model, "test");
        var pass = new BackwardPass(graph, graph.Nodes.Select(_ => (IBackwardRule)new GradientRule()).ToList());
        for (int c = 0; c < 3; c++)
        {
            var engine = pass.Backward(pass.Prepare(graph.Forward(model.Preprocess(x))), torch.nn.functional.one_hot(torch.full([3], c, dtype: ScalarType.Int64), 3).to_type(ScalarType.Float32));
            using var grad = torch.enable_grad();
            var xr = x.clone().requires_grad_(true);
            var autograd = torch.autograd.grad([model.Forward(xr)[.., c].sum()], [xr])[0];
            GradientTestModels.Close(autograd.data<float>().ToArray(), engine.data<float>().ToArray(), 1e-5);
        }
    }

    [Fact]
    public void Lrp_MergesBatchNorm_AndSplitsTheResidualSum()
    {
        using var model = Random(19);
        var plain = new Lrp(model).LayerRules;
        Assert.Equal(9, plain.Count(r => r.Contains("BatchNorm2d")));
        Assert.Equal(3, plain.Count(r => r.EndsWith(": proportional-sum")));
        var merged = new Lrp(model, new LrpOptions(Composite: "epsilon-plus-flat"));
        Assert.DoesNotContain(merged.LayerRules, r => r.Contains("BatchNorm2d"));
        Assert.Equal(plain.Count - 9, merged.LayerRules.Count);
        var e = merged.Attribute(Images(2, 21), TargetSelection.AllClasses);
        Assert.All(e.Values, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(e.Values, v => v != 0);
    }

    [Fact]
    public void Cams_FindTheLastConvByGraphOrder_AndTakeLayerNames()
    {
        using var model = Random(23);
        var lastConv = new CamLayers(model, null, "Grad-CAM");
        Assert.Equal("layer3.0.conv2", lastConv.NodeName);
        Assert.Equal(64, lastConv.MapChannels);
        var byName = new CamLayers(model, "layer2.0.relu_1", "Grad-CAM");
        Assert.Equal(32, byName.MapChannels);
        var x = Images(2, 24);
        var named = new GradCam(model, new GradCamOptions(Layer: "layer2.0.relu_1")).Attribute(x, TargetSelection.AllClasses);
        var indexed = new GradCam(model, new GradCamOptions(Layer: byName.Index.ToString())).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal(named.Values, indexed.Values);
        Assert.Contains(named.Values, v => v != 0);
        var unknown = Assert.Throws<GlassboxException>(() => new CamLayers(model, "layer9", "Grad-CAM"));
        Assert.Contains("layer3.0.conv2", unknown.Message);
    }
}
