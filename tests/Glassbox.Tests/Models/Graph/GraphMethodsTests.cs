using Glassbox.Attribution;
using Glassbox.Attribution.Cam;
using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Propagation;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Models.Graph;
using Glassbox.Tests.Attribution.Catalog;
using Glassbox.Tests.Attribution.Gradient;
using Glassbox.Tests.Data;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Glassbox.Tests.Models.Graph;

/// <summary>
/// Propagation and CAM methods on branching ONNX graphs (GitHub issue 9): tiny_resnet (residual Add, 1×1
/// downsample), dense_net (Concat, BatchNorm nodes, reflect Pad, MaxPool), se_net (squeeze-and-excitation Mul, Clip,
/// Sub, Div, ReduceMean); see tests/fixtures/graphs/README.md.
/// </summary>
public class GraphMethodsTests(ITestOutputHelper log)
{
    public static TheoryData<string> Graphs() => new() { "tiny_resnet", "dense_net", "se_net" };

    public static TheoryData<string, string> MethodsOnGraphs()
    {
        var data = new TheoryData<string, string>();
        foreach (var g in new[] { "tiny_resnet", "dense_net", "se_net" })
            foreach (var e in MethodCatalog.Default.Entries)
                data.Add(g, e.Name);
        return data;
    }

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "graphs", name);

    private static GraphModel Load(string name) => OnnxGraphLoader.Import(Fixture(name + ".onnx"));

    private static Tensor Inputs()
    {
        var a = NpyFile.Read(Fixture("inputs.npy"));
        return torch.tensor(a.ToFloat32(), a.Shape.Select(d => (long)d).ToArray());
    }

    private static Tensor Background() => torch.rand([6, 1, 8, 8], generator: new Generator(3));

    private static void AssertComplete(Explanation e, string what)
    {
        Assert.NotNull(e.AdditivityErrors);
        for (int i = 0; i < e.AdditivityErrors!.Length; i++)
            Assert.True(e.AdditivityErrors[i] <= 1e-4 * Math.Max(1, Math.Abs(e.Outputs[i])),
                $"{what}: |f(x) − base − Σφ| = {e.AdditivityErrors[i]:E2} at {i} (f = {e.Outputs[i]:F4})");
    }

    [Theory]
    [MemberData(nameof(Graphs))]
    public void GraphModels_OfferVisibleLayers(string name)
    {
        using var model = Load(name);
        Assert.Null(model.Layers);
        Assert.True(ModelCapabilities.HasVisibleLayers(model));
        foreach (var e in MethodCatalog.Default.Entries) Assert.True(MethodCatalog.CanRun(e, model), e.Name);
        MethodCatalog.CheckModel(MethodCatalog.Default.Get("lrp"), model);
    }

    /// <summary>The engine's trace (modules where a node has one) computes what the model computes, node by node.</summary>
    [Theory]
    [MemberData(nameof(Graphs))]
    [InlineData("op_zoo")]
    public void Trace_EqualsTheModelsForward_NodeByNode(string name)
    {
        using var model = Load(name);
        var x = torch.rand([3, model.Info.Channels, model.Info.Height, model.Info.Width], generator: new Generator(3));
        var trace = GraphLayers.Trace(model);
        var values = trace.Forward(model.Preprocess(x));
        Assert.Equal(model.Forward(x).data<float>().ToArray(), values[^1].data<float>().ToArray());
        for (int i = 1; i < model.Nodes.Count; i++)
        {
            var node = model.Nodes[i];
            var direct = node.Apply(node.Inputs.Select(j => values[j]).ToArray());
            Assert.True(direct.shape.SequenceEqual(values[i].shape) && direct.allclose(values[i], 0, 0), $"{node} differs from its traced module {trace.Nodes[i - 1].Module.GetType().Name}");
        }
    }

    [Theory]
    [MemberData(nameof(Graphs))]
    public void DeepLiftFamily_IsComplete_OnEveryGraph(string name)
    {
        using var model = Load(name);
        var x = Inputs();
        var r = torch.rand([5, 1, 8, 8], generator: new Generator(11));
        var dl = new DeepLift(model, new DeepLiftOptions(Baselines: Baseline.FromImages(r))).Attribute(x, TargetSelection.AllClasses);
        AssertComplete(dl, $"{name} deep-lift");
        var zero = new DeepLift(model).Attribute(x, TargetSelection.AllClasses);
        AssertComplete(zero, $"{name} deep-lift (zeros)");
        var dls = new DeepLiftShap(model, Background()).Attribute(x, TargetSelection.AllClasses);
        AssertComplete(dls, $"{name} deep-lift-shap");
        var ds = new DeepShap(model, Background()).Attribute(x, TargetSelection.AllClasses);
        AssertComplete(ds, $"{name} deep-shap");
        var probs = new DeepShap(model, Background(), new DeepShapOptions(Output: OutputSpace.Probabilities)).Attribute(x, TargetSelection.AllClasses);
        AssertComplete(probs, $"{name} deep-shap (probabilities)");
        // Float32 rounding only: far below the 1e-4 bound.
        Assert.All(new[] { dl, zero, dls, ds, probs }, e => Assert.True(e.MaxAdditivityError < 1e-6, $"{name}: {e.Method} error {e.MaxAdditivityError:E2}"));
        log.WriteLine($"COMPLETENESS {name}: max error deep-lift {dl.MaxAdditivityError:E2}, deep-lift-shap {dls.MaxAdditivityError:E2}, deep-shap {ds.MaxAdditivityError:E2}, probabilities {probs.MaxAdditivityError:E2}");
        // Not trivially complete: the attributions differ from gradient × (x − r).
        var ig = new InputXGradient(model).Attribute(x, TargetSelection.AllClasses);
        Assert.NotEqual(ig.Values, zero.Values);
    }

    [Theory]
    [MemberData(nameof(Graphs))]
    public void Lrp_ReportsConservation_OnEveryGraph(string name)
    {
        using var model = Load(name);
        var x = Inputs();
        foreach (var composite in LrpComposite.Names)
        {
            var lrp = new Lrp(model, new LrpOptions(Composite: composite));
            var e = lrp.Attribute(x, TargetSelection.AllClasses);
            Assert.All(e.Values, v => Assert.True(float.IsFinite(v)));
            Assert.False(e.AdditivityGuaranteed);
            Assert.NotNull(e.AdditivityErrors);
            double relative = Enumerable.Range(0, e.AdditivityErrors!.Length).Max(i => e.AdditivityErrors[i] / Math.Max(1e-6, Math.Abs(e.Outputs[i])));
            log.WriteLine($"LRP {name} {composite}: max |Σ R − f(x)| {e.MaxAdditivityError:E2} (relative {relative:E2}); rules {string.Join(", ", lrp.LayerRules.Select(r => r[(r.LastIndexOf(": ") + 2)..]).Distinct())}");
        }
        var rules = new Lrp(model).LayerRules;
        if (name == "tiny_resnet") Assert.Contains(rules, r => r.EndsWith(": proportional-sum"));
        if (name == "dense_net") Assert.Contains(rules, r => r.EndsWith(": split"));
        if (name == "se_net") Assert.Contains(rules, r => r.EndsWith(": signal-takes-all"));
    }

    /// <summary>The catalog contract (as CatalogContractTests) for every method on every graph: shapes, targets, finiteness, additivity, determinism, per-class slots.</summary>
    [Theory]
    [MemberData(nameof(MethodsOnGraphs))]
    public void Method_GivesShapesTargetsAndDeterminism_OnGraph(string graph, string name)
    {
        var entry = MethodCatalog.Default.Get(name);
        using var model = Load(graph);
        int classes = model.Info.Classes;
        var x = Inputs().narrow(0, 0, 2);
        var text = new Dictionary<string, string> { ["seed"] = "1" };
        switch (name)
        {
            case "kernel-shap" or "shapley-value-sampling" or "feature-ablation": text["feature-mask"] = "grid:2"; break;
            case "lime": text["feature-mask"] = "grid:2"; text["alpha"] = "0.0001"; break; // these graphs' logits move little: Captum's α = 0.01 zeroes every weight
            case "partition-shap": text["max-evals"] = "60"; break;
            case "occlusion": text["sliding-window"] = "2,2"; text["strides"] = "2"; break;
        }
        // Score-CAM rectifies its map: explain a rectified feature map (the last activation node with one).
        if (name == "score-cam") text["layer"] = model.Nodes.Last(n => n.OpType is "Relu" or "LeakyRelu" or "Clip" && n.OutputShape.Count == 4).Name;
        IAttributionMethod Create() => Catalogued.Create(entry, model, text,
            entry.UsesBaselineDistribution ? Baseline.FromImages(Background()) : null);
        var all = Create().Attribute(x, TargetSelection.AllClasses);
        Assert.Equal([2, classes, 1, 8, 8], all.Shape);
        Assert.Equal(Enumerable.Range(0, 2 * classes).Select(i => i % classes).ToArray(), all.Targets);
        Assert.All(all.Values, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(all.Values, v => v != 0);
        Assert.Empty(all.AdditivityFailures());
        Assert.Equal(all.Values, Create().Attribute(x, TargetSelection.AllClasses).Values);
        var one = Create().Attribute(x, TargetSelection.PerInput(2, 0));
        Assert.Equal([2, 1, 1, 8, 8], one.Shape);
        Assert.Equal([2, 0], one.Targets);
        if (name != "partition-shap") // Partition SHAP expands the tree jointly for the requested classes, as SHAP does.
        {
            GradientTestModels.Close(all.Map(0, 2).ToArray(), one.Map(0, 0).ToArray(), 1e-5);
            GradientTestModels.Close(all.Map(1, 0).ToArray(), one.Map(1, 0).ToArray(), 1e-5);
        }
    }

    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void DeepLift_OnAChainGraph_EqualsDeepLiftOnTheSequentialModel(string name)
    {
        string models = Path.Combine(RepoPaths.Root, "tests", "fixtures", "models");
        using var graph = OnnxGraphLoader.Import(Path.Combine(models, name + ".onnx"));
        using var spec = Glassbox.Models.Sources.ModelLoader.Load(Path.Combine(models, name + ".json"));
        var x = Inputs();
        var bg = Background();
        GradientTestModels.Close(new DeepLift(spec).Attribute(x, TargetSelection.AllClasses).Values, new DeepLift(graph).Attribute(x, TargetSelection.AllClasses).Values, 1e-5);
        GradientTestModels.Close(new DeepShap(spec, bg).Attribute(x, TargetSelection.AllClasses).Values,
            new DeepShap(graph, bg).Attribute(x, TargetSelection.AllClasses).Values, 1e-5);
        GradientTestModels.Close(new Lrp(spec, new LrpOptions("epsilon-plus-flat")).Attribute(x, TargetSelection.AllClasses).Values,
            new Lrp(graph, new LrpOptions("epsilon-plus-flat")).Attribute(x, TargetSelection.AllClasses).Values, 1e-5);
        GradientTestModels.Close(new GuidedBackprop(spec).Attribute(x, TargetSelection.AllClasses).Values,
            new GuidedBackprop(graph).Attribute(x, TargetSelection.AllClasses).Values, 1e-5);
    }

    /// <summary>
    /// tiny_resnet with a BatchNormalization node inserted after its stem Conv, against the same network with that
    /// batch norm folded into the conv's weights by hand: the Zennit composites merge it (MergeBatchNorm), so LRP agrees.
    /// </summary>
    [Fact]
    public void BatchNormAfterAConv_IsMergedByTheCanonizer_OnAGraph()
    {
        using var dir = new Glassbox.Tests.IO.TempDirectory();
        var proto = OnnxGraphLoader.Parse(Fixture("tiny_resnet.onnx"));
        int at = proto.Graph.Node.ToList().FindIndex(n => n.OpType == "Conv");
        var conv = proto.Graph.Node[at];
        string output = conv.Output[0];
        foreach (var reader in proto.Graph.Node)
            for (int k = 0; k < reader.Input.Count; k++)
                if (reader.Input[k] == output) reader.Input[k] = "bn_out";
        float[] gamma = [1.5f, 0.5f, -0.8f, 1.1f], beta = [0.1f, -0.2f, 0.05f, 0.3f], mean = [0.2f, -0.1f, 0.3f, 0f], variance = [0.5f, 2f, 1.2f, 0.9f];
        Onnx.TensorProto Vector(string name, float[] v)
        {
            var t = new Onnx.TensorProto { Name = name, DataType = (int)Onnx.TensorProto.Types.DataType.Float };
            t.Dims.Add(v.Length);
            t.FloatData.Add(v);
            return t;
        }
        proto.Graph.Initializer.Add([Vector("bn_scale", gamma), Vector("bn_b", beta), Vector("bn_mean", mean), Vector("bn_var", variance)]);
        var bn = new Onnx.NodeProto { OpType = "BatchNormalization", Name = "stem_bn" };
        bn.Input.Add(["/stem_out", "bn_scale", "bn_b", "bn_mean", "bn_var"]);
        bn.Output.Add("bn_out");
        bn.Attribute.Add(new Onnx.AttributeProto { Name = "epsilon", F = 1e-5f, Type = Onnx.AttributeProto.Types.AttributeType.Float });
        conv.Output[0] = "/stem_out";
        proto.Graph.Node.Insert(at + 1, bn);
        File.WriteAllBytes(dir.File("bn.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(proto));
        File.Copy(Fixture("tiny_resnet.json"), dir.File("bn.json"));

        // The folded network: W·s and (b − μ)·s + β with s = γ / √(σ² + ε).
        var folded = OnnxGraphLoader.Parse(Fixture("tiny_resnet.onnx"));
        var foldedConv = folded.Graph.Node[at];
        using (var original = Load("tiny_resnet"))
        {
            var node = original.Nodes.First(n => n.OpType == "Conv");
            var s = torch.tensor(gamma) / (torch.tensor(variance) + 1e-5f).sqrt();
            var w = (node.Parameters["W"] * s.reshape(-1, 1, 1, 1)).contiguous().data<float>().ToArray();
            var b = ((node.Parameters["B"] - torch.tensor(mean)) * s + torch.tensor(beta)).data<float>().ToArray();
            foreach (var (name, values) in new[] { (foldedConv.Input[1], w), (foldedConv.Input[2], b) })
            {
                var init = folded.Graph.Initializer.Single(t => t.Name == name);
                init.RawData = Google.Protobuf.ByteString.Empty;
                init.FloatData.Clear();
                init.FloatData.Add(values);
            }
        }
        File.WriteAllBytes(dir.File("folded.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(folded));
        File.Copy(Fixture("tiny_resnet.json"), dir.File("folded.json"));

        using var withBn = OnnxGraphLoader.Import(dir.File("bn.onnx"));
        using var merged = OnnxGraphLoader.Import(dir.File("folded.onnx"));
        Assert.Single(withBn.Nodes, n => n.OpType == "BatchNormalization");
        var x = Inputs();
        GradientTestModels.Close(merged.Forward(x).data<float>().ToArray(), withBn.Forward(x).data<float>().ToArray(), 1e-5);
        Assert.Contains("node 'stem_bn' (BatchNorm2d): epsilon", new Lrp(withBn).LayerRules);
        var flat = new Lrp(withBn, new LrpOptions("epsilon-plus-flat"));
        Assert.DoesNotContain(flat.LayerRules, r => r.Contains("BatchNorm2d"));
        Assert.Equal(new Lrp(merged, new LrpOptions("epsilon-plus-flat")).LayerRules.Count, flat.LayerRules.Count);
        GradientTestModels.Close(new Lrp(merged, new LrpOptions("epsilon-plus-flat")).Attribute(x, TargetSelection.AllClasses).Values,
            flat.Attribute(x, TargetSelection.AllClasses).Values, 1e-4);
    }

    /// <summary>tiny_resnet_opset17 is the same network with the batch fixed to one image: its nodes run image by image.</summary>
    [Fact]
    public void GraphWithAFixedBatch_GivesTheSameAttributions()
    {
        using var dynamic = Load("tiny_resnet");
        using var fixedBatch = Load("tiny_resnet_opset17");
        var x = Inputs();
        var bg = Background();
        GradientTestModels.Close(new DeepShap(dynamic, bg).Attribute(x, TargetSelection.AllClasses).Values,
            new DeepShap(fixedBatch, bg).Attribute(x, TargetSelection.AllClasses).Values, 1e-5);
        GradientTestModels.Close(new Lrp(dynamic).Attribute(x, TargetSelection.AllClasses).Values,
            new Lrp(fixedBatch).Attribute(x, TargetSelection.AllClasses).Values, 1e-5);
        GradientTestModels.Close(new GradCam(dynamic).Attribute(x, TargetSelection.AllClasses).Values,
            new GradCam(fixedBatch).Attribute(x, TargetSelection.AllClasses).Values, 1e-5);
    }

    [Fact]
    public void GuidedBackprop_RectifiesAtEveryReluNode_OfAResidualGraph()
    {
        using var model = Load("tiny_resnet");
        var x = Inputs();
        var guided = new GuidedBackprop(model).Attribute(x, TargetSelection.AllClasses);
        var deconv = new Deconvolution(model).Attribute(x, TargetSelection.AllClasses);
        var plain = new Saliency(model, new SaliencyOptions(Abs: false)).Attribute(x, TargetSelection.AllClasses);
        Assert.NotEqual(plain.Values, guided.Values);
        Assert.NotEqual(guided.Values, deconv.Values);
    }

    [Fact]
    public void GradCam_OnAGraph_TakesNodeNamesIndicesAndLastConv()
    {
        using var model = Load("tiny_resnet");
        var x = Inputs();
        var lastConv = model.Nodes.Last(n => n.OpType == "Conv");
        var byDefault = new CamLayers(model, "last-conv", "Grad-CAM");
        Assert.Equal(lastConv.Index, byDefault.Index);
        Assert.Equal(lastConv.Name, byDefault.NodeName);
        var relu = model.Nodes.Last(n => n.OpType == "Relu" && n.OutputShape.Count == 4);
        var byName = new GradCam(model, new GradCamOptions(Layer: relu.Name)).Attribute(x, TargetSelection.AllClasses);
        var byIndex = new GradCam(model, new GradCamOptions(Layer: relu.Index.ToString())).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal(byName.Values, byIndex.Values);

        // Grad-CAM at the block's output, by hand: α_k = mean ∂y_c/∂A_k, map Σ α_k A_k, nearest upsampling.
        using (torch.enable_grad())
        {
            var values = new Tensor[model.Nodes.Count];
            values[0] = model.Preprocess(x);
            for (int i = 1; i < model.Nodes.Count; i++)
            {
                var node = model.Nodes[i];
                values[i] = node.Apply(node.Inputs.Select(j => values[j]).ToArray());
                if (i == relu.Index) { values[i] = values[i].detach().requires_grad_(true); }
            }
            var a = values[relu.Index];
            var y = values[^1][.., 1].sum();
            var g = torch.autograd.grad([y], [a])[0];
            var map = (g.mean([2, 3], keepdim: true) * a.detach()).sum(1, keepdim: true);
            var up = nn.functional.interpolate(map, [8, 8], mode: InterpolationMode.Nearest);
            var expected = up.data<float>().ToArray();
            var actual = new GradCam(model, new GradCamOptions(Layer: relu.Name)).Attribute(x, TargetSelection.Classes(1)).Values;
            GradientTestModels.Close(expected, actual, 1e-5);
        }

        var unknown = Assert.Throws<GlassboxException>(() => new GradCam(model, new GradCamOptions(Layer: "no_such_node")));
        Assert.Contains("no node named 'no_such_node'", unknown.Message);
        Assert.Contains(relu.Name, unknown.Message);
        var flat = model.Nodes.First(n => n.OutputShape.Count == 2);
        Assert.Contains("feature map", Assert.Throws<GlassboxException>(() => new GradCam(model, new GradCamOptions(Layer: flat.Name))).Message);
        foreach (var cam in new IAttributionMethod[] { new GradCamPlusPlus(model, new GradCamPlusPlusOptions(Layer: relu.Name)), new ScoreCam(model, new ScoreCamOptions(Layer: relu.Name)),
                     new GuidedGradCam(model, new GuidedGradCamOptions(Layer: relu.Name)) })
            Assert.Contains(cam.Attribute(x, TargetSelection.Classes(0)).Values, v => v != 0);
    }

    /// <summary>
    /// op_zoo's 'pool_same' MaxPool pads asymmetrically (SAME_UPPER), which MaxPool2d cannot express: the cross-max
    /// rule pads with −∞, so DeepLIFT stays complete through it (and through op_zoo's inner softmax over the last axis,
    /// by the softmax path rule, MatMul, Transpose and the rest).
    /// </summary>
    [Fact]
    public void OpZoo_WithASameUpperMaxPool_IsComplete()
    {
        using var model = Load("op_zoo");
        Assert.Contains(model.Nodes, n => n.Name == "pool_same");
        var x = torch.rand([3, model.Info.Channels, model.Info.Height, model.Info.Width], generator: new Generator(2));
        var r = torch.rand([3, model.Info.Channels, model.Info.Height, model.Info.Width], generator: new Generator(4));
        var dl = new DeepLift(model, new DeepLiftOptions(Baselines: Baseline.FromImages(r))).Attribute(x, TargetSelection.AllClasses);
        AssertComplete(dl, "op_zoo deep-lift");
        Assert.True(dl.MaxAdditivityError < 1e-6, $"op_zoo deep-lift error {dl.MaxAdditivityError:E2}");
        var captum = new DeepLift(model, new DeepLiftOptions(Baselines: Baseline.FromImages(r), MaxPoolRule: MaxPoolRule.Captum)).Attribute(x, TargetSelection.AllClasses);
        Assert.All(captum.Values, v => Assert.True(float.IsFinite(v)));
        var ds = new DeepShap(model, r).Attribute(x, TargetSelection.AllClasses);
        Assert.True(ds.MaxAdditivityError < 1e-6, $"op_zoo deep-shap error {ds.MaxAdditivityError:E2}");
        // LRP has no rule for a softmax inside the graph: refused by name.
        Assert.Contains("node 'softmax' (Softmax)", Assert.Throws<GlassboxException>(() => new Lrp(model)).Message);
    }

    /// <summary>se_net with its final Div turned around (a constant divided by the logits): no rule, refused by name.</summary>
    [Fact]
    public void NodeWithoutARule_IsRefusedByName_WhileGradientRulesRunOnIt()
    {
        using var dir = new Glassbox.Tests.IO.TempDirectory();
        var proto = OnnxGraphLoader.Parse(Fixture("se_net.onnx"));
        var div = proto.Graph.Node.Last(n => n.OpType == "Div");
        (div.Input[0], div.Input[1]) = (div.Input[1], div.Input[0]);
        File.WriteAllBytes(dir.File("m.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(proto));
        File.Copy(Fixture("se_net.json"), dir.File("m.json"));
        using var model = OnnxGraphLoader.Import(dir.File("m.onnx"));
        var err = Assert.Throws<GlassboxException>(() => new DeepLift(model));
        Assert.Contains($"(node '{div.Name}' (Div)) has no DeepLIFT rule: it divides by an activation", err.Message);
        Assert.Contains($"node '{div.Name}' (Div)", Assert.Throws<GlassboxException>(() => new Lrp(model)).Message);
        var guided = new GuidedBackprop(model).Attribute(Inputs(), TargetSelection.Classes(0));
        Assert.All(guided.Values, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(guided.Values, v => v != 0);
    }
}
