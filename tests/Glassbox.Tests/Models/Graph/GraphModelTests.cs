using Glassbox.Attribution;
using Glassbox.Attribution.Common;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Propagation;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Models.Graph;
using Glassbox.Models.Sources;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Models.Graph;

/// <summary>Fixtures made by tools/fixtures/make_graph_fixtures.py with PyTorch 1.13 (see tests/fixtures/graphs/README.md).</summary>
public class GraphModelTests
{
    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "graphs", name);
    private static string ModelFixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "models", name);

    private static Tensor Npy(string path)
    {
        var a = NpyFile.Read(path);
        return torch.tensor(a.ToFloat32(), a.Shape.Select(d => (long)d).ToArray());
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol)
    {
        Assert.Equal(expected.shape, actual.shape);
        double err = (expected - actual.detach()).abs().max().item<float>();
        Assert.True(err <= tol, $"max |difference| {err:E2} > {tol:E0}");
    }

    private static long[] Targets(int n, int classes) => Enumerable.Range(0, n).Select(i => (long)(i % classes)).ToArray();

    [Theory]
    [InlineData("tiny_resnet", "tiny_resnet")]
    [InlineData("tiny_resnet_opset17", "tiny_resnet")]
    [InlineData("dense_net", "dense_net")]
    [InlineData("se_net", "se_net")]
    public void ImportedGraph_GivesThePyTorchAndOnnxRuntimeLogits_AndThePyTorchGradients(string file, string reference)
    {
        var x = Npy(Fixture("inputs.npy"));
        using var graph = ModelLoader.Load(Fixture(file + ".onnx"));
        Assert.IsType<GraphModel>(graph);
        Assert.Equal(ModelKind.OnnxGraph, graph.Kind);
        Assert.True(graph.SupportsGradients);
        using var runtime = OnnxModel.Load(Fixture(file + ".onnx"), sidecar: Fixture(reference + ".json"));
        using (torch.no_grad())
        {
            var logits = graph.Forward(x);
            AssertClose(Npy(Fixture(reference + "_logits.npy")), logits, 1e-5);
            AssertClose(runtime.Forward(x), logits, 1e-5);
        }
        var (g, _) = TargetGradients.Compute(graph, x, Targets(5, graph.Info.Classes), 64);
        AssertClose(Npy(Fixture(reference + "_grads.npy")), g, 1e-5);
    }

    [Fact]
    public void ImportedGraph_MatchesTorchScript_ForIntegratedGradients()
    {
        var x = Npy(Fixture("inputs.npy"));
        using var graph = ModelLoader.Load(Fixture("tiny_resnet.onnx"));
        using var script = ModelLoader.Load(Fixture("tiny_resnet.pt"));
        var targets = TargetSelection.PerInput(0, 1, 2, 3, 0);
        var a = new IntegratedGradients(graph).Attribute(x, targets);
        var b = new IntegratedGradients(script).Attribute(x, targets);
        for (int i = 0; i < a.Values.Length; i++) Assert.Equal(b.Values[i], a.Values[i], 1e-5);
    }

    [Fact]
    public void ResNetNodes_AreVisible_WithFoldedShapeChains_AndBranches()
    {
        using var model = OnnxGraphLoader.Import(Fixture("tiny_resnet.onnx"));
        var nodes = model.Nodes;
        Assert.Equal(GraphNode.InputOpType, nodes[0].OpType);
        Assert.Equal([1L, 1, 8, 8], nodes[0].OutputShape);
        Assert.All(nodes.Skip(1), n => Assert.All(n.Inputs, j => Assert.InRange(j, 0, n.Index - 1)));
        // The Shape → Gather → Unsqueeze → Concat chain of x.reshape(x.size(0), -1) is folded into Reshape's shape.
        Assert.DoesNotContain(nodes, n => n.OpType is "Shape" or "Gather" or "Concat" or "Unsqueeze" or "Constant");
        var reshape = Assert.Single(nodes, n => n.OpType == "Reshape");
        Assert.Equal([0L, -1], (long[])reshape.Attributes["shape"]);
        // Two residual additions, each of two node outputs; the second block's downsample is a 1×1 conv with stride 2.
        var adds = nodes.Where(n => n.OpType == "Add").ToList();
        Assert.Equal(2, adds.Count);
        Assert.All(adds, a => Assert.Equal(2, a.Inputs.Count));
        var downsample = Assert.Single(nodes, n => n.OpType == "Conv" && ((long[])n.Attributes["kernel_shape"]).SequenceEqual([1L, 1]));
        Assert.Equal([2L, 2], (long[])downsample.Attributes["strides"]);
        Assert.Equal([8L, 4, 1, 1], downsample.Parameters["W"].shape);
        Assert.Contains(adds[1].Inputs, j => j == downsample.Index);
        Assert.Equal([1L, 8, 4, 4], adds[1].OutputShape);
        var gemm = model.Output;
        Assert.Equal("Gemm", gemm.OpType);
        Assert.Equal([1L, 4], gemm.OutputShape);
        Assert.Equal(new GraphOperand(gemm.Inputs[0], null), gemm.Operands[0]);
        Assert.Equal("B", gemm.Operands[1].Parameter);
        // A branching graph has no layer list (and says why); layer methods run on its nodes (see GraphMethodsTests).
        Assert.Null(model.Layers);
        Assert.Contains("no layer list", model.OpaqueReason);
        Assert.Empty(new DeepLift(model).Attribute(Npy(Fixture("inputs.npy")), TargetSelection.AllClasses).AdditivityFailures());
    }

    [Fact]
    public void DenseAndSeNodes_KeepBatchNormConcatAndSqueezeExcitation()
    {
        using var dense = OnnxGraphLoader.Import(Fixture("dense_net.onnx"));
        Assert.Equal(3, dense.Nodes.Count(n => n.OpType == "BatchNormalization"));
        var concats = dense.Nodes.Where(n => n.OpType == "Concat").ToList();
        Assert.Equal(2, concats.Count);
        Assert.Equal([1L, 8, 8, 8], concats[1].OutputShape);
        var pad = dense.Nodes.First(n => n.OpType == "Pad");
        Assert.Equal("reflect", pad.Attributes["mode"]);
        Assert.Equal([0L, 0, 1, 1, 0, 0, 1, 1], (long[])pad.Attributes["pads"]);
        Assert.Equal(["B", "input_mean", "input_var", "scale"], dense.Nodes.First(n => n.OpType == "BatchNormalization").Parameters.Keys.Order(StringComparer.Ordinal));

        using var se = OnnxGraphLoader.Import(Fixture("se_net.onnx"));
        var gap = Assert.Single(se.Nodes, n => n.OpType == "GlobalAveragePool");
        var sigmoid = Assert.Single(se.Nodes, n => n.OpType == "Sigmoid");
        // The excitation multiplies the feature map by the sigmoid's channel weights (after two Unsqueeze nodes).
        var excite = Assert.Single(se.Nodes, n => n.OpType == "Mul" && n.Inputs.Count == 2);
        Assert.Equal(gap.Inputs[0], excite.Inputs[0]);
        Assert.Equal("Unsqueeze", se.Nodes[excite.Inputs[1]].OpType);
        Assert.True(sigmoid.Index < excite.Index);
        var clip = Assert.Single(se.Nodes, n => n.OpType == "Clip");
        Assert.Equal(0.0, (double)clip.Attributes["min"]);
        Assert.Equal(6.0, (double)clip.Attributes["max"]);
        var grouped = Assert.Single(se.Nodes, n => n.OpType == "Conv" && (long)n.Attributes["group"] == 2);
        Assert.Equal([2L, 2], (long[])grouped.Attributes["dilations"]);
        Assert.Equal([0.5f], se.Info.Mean!);
    }

    [Fact]
    public void ChainGraph_ExposesItsLayers_AndPropagationMatchesTheSequentialSpec()
    {
        using var dir = new TempDirectory();
        File.Copy(ModelFixture("small_cnn.onnx"), dir.File("m.onnx"));
        using var graph = ModelLoader.Load(dir.File("m.onnx"));
        Assert.Equal(ModelKind.OnnxGraph, graph.Kind);
        Assert.NotNull(graph.Layers);
        Assert.Equal(["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"], graph.Layers!.Select(l => l.GetType().Name).ToArray());
        var x = Npy(ModelFixture("inputs.npy"));
        using (torch.no_grad())
        {
            Tensor y = graph.Preprocess(x);
            foreach (var layer in graph.Layers!) y = layer.forward(y);
            AssertClose(graph.Forward(x), y, 1e-6);
            AssertClose(Npy(ModelFixture("small_cnn_logits.npy")), y, 1e-5);
        }
        using var spec = ModelLoader.Load(ModelFixture("small_cnn.json"));
        var a = new DeepLift(graph).Attribute(x, TargetSelection.AllClasses);
        var b = new DeepLift(spec).Attribute(x, TargetSelection.AllClasses);
        for (int i = 0; i < a.Values.Length; i++) Assert.Equal(b.Values[i], a.Values[i], 1e-5);
        var camGraph = new Glassbox.Attribution.Cam.GradCam(graph).Attribute(x, TargetSelection.AllClasses);
        var camSpec = new Glassbox.Attribution.Cam.GradCam(spec).Attribute(x, TargetSelection.AllClasses);
        for (int i = 0; i < camGraph.Values.Length; i++) Assert.Equal(camSpec.Values[i], camGraph.Values[i], 1e-5);
    }

    [Fact]
    public void MixedChain_ImportsWithLeakyReluTanhAndAveragePool_AndMatchesPyTorch()
    {
        // mixed_cnn.json forces ONNX Runtime for ModelLoader; the importer itself takes the same file.
        using var graph = OnnxGraphLoader.Import(ModelFixture("mixed_cnn.onnx"));
        Assert.Equal(["Conv2d", "LeakyReLU", "Conv2d", "Tanh", "AvgPool2d", "Flatten", "Linear"], graph.Layers!.Select(l => l.GetType().Name).ToArray());
        var x = Npy(ModelFixture("inputs.npy"));
        using (torch.no_grad()) AssertClose(Npy(ModelFixture("mixed_cnn_logits.npy")), graph.Forward(x), 1e-5);
        var (g, _) = TargetGradients.Compute(graph, x, Targets(5, 3), 64);
        AssertClose(Npy(ModelFixture("mixed_cnn_grads.npy")), g, 1e-5);
        var e = new DeepLift(graph).Attribute(x, TargetSelection.AllClasses);
        Assert.Empty(e.AdditivityFailures());
    }

    [Fact]
    public void HandBuiltOpZoo_MatchesOnnxRuntime_AndDropsDeadNodes()
    {
        // Asymmetric conv pads, SAME_UPPER max pooling, count_include_pad, constant Pad, Transpose, MatMul, Softmax,
        // Squeeze/Unsqueeze, Identity, Dropout, ReduceMean, scaled Gemm, constant-minus-activation Sub, gating Mul.
        using var graph = ModelLoader.Load(Fixture("op_zoo.onnx"));
        var g = Assert.IsType<GraphModel>(graph);
        Assert.DoesNotContain(g.Nodes, n => n.Name == "concat");
        var sub = Assert.Single(g.Nodes, n => n.Name == "const_minus");
        Assert.Equal("A", sub.Operands[0].Parameter);
        Assert.False(sub.Operands[1].IsConstant);
        Assert.Equal([1L, 2, 4, 5], g.Nodes.Single(n => n.Name == "pool_same").OutputShape);
        using var runtime = OnnxModel.Load(Fixture("op_zoo.onnx"));
        torch.manual_seed(5);
        var x = torch.rand(7, 1, 8, 8);
        using (torch.no_grad()) AssertClose(runtime.Forward(x), graph.Forward(x), 1e-5);
        var (grads, _) = TargetGradients.Compute(graph, x, Targets(7, 3), 64);
        Assert.True(grads.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void UnsupportedOp_IsRefusedByName_AndTheModelStillLoadsAsABlackBox()
    {
        var err = Assert.Throws<GlassboxException>(() => OnnxGraphLoader.Import(Fixture("gelu_cnn.onnx")));
        Assert.Contains("op type 'Erf'", err.Message);
        Assert.Contains("node '/Erf'", err.Message);

        var x = Npy(Fixture("inputs.npy"));
        using var model = ModelLoader.Load(Fixture("gelu_cnn.onnx"));
        Assert.IsType<OnnxModel>(model);
        Assert.Equal(ModelKind.Onnx, model.Kind);
        Assert.False(model.SupportsGradients);
        AssertClose(Npy(Fixture("gelu_cnn_logits.npy")), model.Forward(x), 1e-5);
        var refusal = Assert.Throws<GlassboxException>(() => new Saliency(model).Attribute(x, TargetSelection.AllClasses));
        Assert.Contains("gradients", refusal.Message);
        Assert.Contains("'Erf'", refusal.Message);
        var layers = Assert.Throws<GlassboxException>(() => ModelCapabilities.RequireLayers(model, "DeepLIFT"));
        Assert.Contains("'Erf'", layers.Message);
    }

    [Fact]
    public void SidecarFlag_ForcesOnnxRuntime()
    {
        using var dir = new TempDirectory();
        File.Copy(Fixture("se_net.onnx"), dir.File("m.onnx"));
        File.WriteAllText(dir.File("m.json"), "{\"input\": {\"channels\": 1, \"height\": 8, \"width\": 8}, \"classes\": 3, " +
            "\"normalization\": {\"mean\": [0.5], \"std\": [0.25]}, \"onnx_runtime\": true}");
        using var model = ModelLoader.Load(dir.File("m.onnx"));
        Assert.Equal(ModelKind.Onnx, model.Kind);
        AssertClose(Npy(Fixture("se_net_logits.npy")), model.Forward(Npy(Fixture("inputs.npy"))), 1e-5);
        Assert.Contains("onnx_runtime", model.OpaqueReason);
    }

    [Theory]
    [InlineData("tiny_resnet.onnx", 13)]
    [InlineData("tiny_resnet_opset17.onnx", 17)]
    public void OnnxSharp_ReadsTorchExports(string file, long opset)
    {
        var proto = OnnxGraphLoader.Parse(Fixture(file));
        Assert.Equal(opset, proto.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal("pytorch", proto.ProducerName);
    }

    [Fact]
    public void GraphThatFixesTheBatchSize_IsRefused_AndFallsBack()
    {
        using var dir = new TempDirectory();
        var proto = OnnxGraphLoader.Parse(Fixture("tiny_resnet.onnx"));
        var reshape = proto.Graph.Node.Single(n => n.OpType == "Reshape");
        var fixedShape = new TensorProto { Name = "fixed_shape", DataType = (int)TensorProto.Types.DataType.Int64 };
        fixedShape.Dims.Add(2);
        fixedShape.Int64Data.Add([1, -1]);
        proto.Graph.Initializer.Add(fixedShape);
        reshape.Input[1] = "fixed_shape";
        File.WriteAllBytes(dir.File("m.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(proto));
        File.Copy(Fixture("tiny_resnet.json"), dir.File("m.json"));
        var e = Assert.Throws<GlassboxException>(() => OnnxGraphLoader.Import(dir.File("m.onnx")));
        Assert.Contains("batch", e.Message);
        using var model = ModelLoader.Load(dir.File("m.onnx"));
        Assert.Equal(ModelKind.Onnx, model.Kind);
        Assert.Contains("batch", model.OpaqueReason);
        // One image at a time, the black box still gives PyTorch's logits.
        var x = Npy(Fixture("inputs.npy"));
        AssertClose(Npy(Fixture("tiny_resnet_logits.npy"))[..1], model.Forward(x[..1]), 1e-5);
    }

    [Fact]
    public void MalformedFiles_GiveClearErrors()
    {
        using var dir = new TempDirectory();
        // Truncated protobuf.
        File.WriteAllBytes(dir.File("cut.onnx"), File.ReadAllBytes(Fixture("tiny_resnet.onnx"))[..500]);
        Assert.Contains("not a valid ONNX model", Assert.Throws<GlassboxException>(() => OnnxGraphLoader.Import(dir.File("cut.onnx"))).Message);
        Assert.Contains("not a valid ONNX model", Assert.Throws<GlassboxException>(() => ModelLoader.Load(dir.File("cut.onnx"))).Message);
        // Not protobuf at all.
        File.WriteAllText(dir.File("text.onnx"), "this is not an onnx model, just text");
        Assert.Contains("not a valid ONNX model", Assert.Throws<GlassboxException>(() => ModelLoader.Load(dir.File("text.onnx"))).Message);
        // A node that takes a tensor nobody produces: the importer names the node, ONNX Runtime refuses the file.
        var proto = OnnxGraphLoader.Parse(Fixture("se_net.onnx"));
        var relu = proto.Graph.Node.First(n => n.OpType == "Relu");
        relu.Input[0] = "nowhere";
        File.WriteAllBytes(dir.File("dangling.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(proto));
        File.Copy(Fixture("se_net.json"), dir.File("dangling.json"));
        var e = Assert.Throws<GlassboxException>(() => OnnxGraphLoader.Import(dir.File("dangling.onnx")));
        Assert.Contains($"node '{relu.Name}' (Relu) takes 'nowhere'", e.Message);
        Assert.Contains("not a valid ONNX model", Assert.Throws<GlassboxException>(() => ModelLoader.Load(dir.File("dangling.onnx"))).Message);
        // A sidecar naming the wrong number of classes.
        File.Copy(Fixture("se_net.onnx"), dir.File("classes.onnx"));
        File.WriteAllText(dir.File("classes.json"), "{\"classes\": 5}");
        Assert.Contains("5 classes", Assert.Throws<GlassboxException>(() => ModelLoader.Load(dir.File("classes.onnx"))).Message);
    }
}
