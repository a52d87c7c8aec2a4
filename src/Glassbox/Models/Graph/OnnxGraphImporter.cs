using Onnx;
using static TorchSharp.torch;

namespace Glassbox.Models.Graph;

/// <summary>
/// Turns an ONNX graph (parsed by OnnxSharp) into a <see cref="GraphModel"/>: initializers become constant tensors,
/// constant subgraphs (the Shape → Gather → Unsqueeze → Concat chains of <c>torch.onnx.export</c>) are folded at load,
/// and every other node becomes a <see cref="GraphNode"/> whose output shape is inferred on the model's input shape.
/// Throws <see cref="OnnxRefusal"/> naming the op type and node when a node is outside <see cref="OnnxOps.Supported"/>.
/// </summary>
internal static class OnnxGraphImporter
{
    private sealed record Pending(string OpType, string Name, int[] Inputs, GraphOperand[] Operands,
        Dictionary<string, object> Attributes, Dictionary<string, Tensor> Parameters, long[] Shape, Func<IReadOnlyList<Tensor>, Tensor> Function);

    /// <summary>Imports the graph of <paramref name="model"/> for images described by <paramref name="info"/>; <paramref name="perImage"/> when the file fixes the batch to one image.</summary>
    public static GraphModel Import(ModelProto model, ModelInfo info, Device device, bool perImage, string source)
    {
        // Built outside the import's dispose scope, so that the model's own tensors and modules outlive it.
        var (nodes, parameters) = Nodes(model, info, device, source);
        return new GraphModel(info, device, nodes, parameters, perImage);
    }

    private static (List<GraphNode> Nodes, List<Tensor> Parameters) Nodes(ModelProto model, ModelInfo info, Device device, string source)
    {
        var graph = model.Graph ?? throw new OnnxRefusal("the file holds no graph");
        long opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset == 0) throw new OnnxRefusal("the file imports no version of the default ONNX operator set");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = new Dictionary<string, OnnxOperand>();
        var unusable = new Dictionary<string, string>();
        foreach (var init in graph.Initializer) values[init.Name] = new OnnxOperand(OnnxTensors.ToTensor(init, device), null, -1);
        var input = graph.Input.Single(i => !values.ContainsKey(i.Name));
        var pending = new List<Pending>
        {
            new(GraphNode.InputOpType, input.Name, [], [], [], [], [1, info.Channels, info.Height, info.Width],
                _ => throw new GlassboxException("Node 0 is the graph input; it computes nothing.")),
        };
        values[input.Name] = new OnnxOperand(zeros(1, info.Channels, info.Height, info.Width, device: device), null, 0);

        for (int k = 0; k < graph.Node.Count; k++)
        {
            var proto = graph.Node[k];
            string name = string.IsNullOrEmpty(proto.Name) ? $"{proto.OpType}_{k}" : proto.Name;
            if (proto.Domain is not ("" or "ai.onnx"))
                throw new OnnxRefusal($"node '{name}' has op type '{proto.OpType}' from domain '{proto.Domain}', which the graph importer does not support");
            if (!OnnxOps.Supported.Contains(proto.OpType))
                throw new OnnxRefusal($"node '{name}' has op type '{proto.OpType}', which the graph importer does not support");
            var operands = new OnnxOperand?[proto.Input.Count];
            for (int p = 0; p < proto.Input.Count; p++)
            {
                string inputName = proto.Input[p];
                if (inputName.Length == 0) continue;
                if (unusable.TryGetValue(inputName, out var why)) throw new OnnxRefusal(why);
                operands[p] = values.TryGetValue(inputName, out var v) ? v
                    : throw new OnnxRefusal($"node '{name}' ({proto.OpType}) takes '{inputName}', which no earlier node or initializer produces");
            }
            OnnxOperand result = proto.OpType switch
            {
                "Constant" => new OnnxOperand(OnnxTensors.ConstantValue(proto, device), null, -1),
                "Shape" => ShapeOf(proto, name, operands),
                _ => Apply(new OnnxOpContext(proto, name, opset, operands), pending),
            };
            if (proto.Output.Count == 0) throw new OnnxRefusal($"node '{name}' ({proto.OpType}) has no output");
            values[proto.Output[0]] = result;
            for (int o = 1; o < proto.Output.Count; o++)
                if (proto.Output[o].Length > 0)
                    unusable[proto.Output[o]] = $"output {o} of node '{name}' ({proto.OpType}) is used, but the importer computes only the first output";
        }

        string outputName = graph.Output.Count > 0 ? graph.Output[0].Name : throw new OnnxRefusal("the graph declares no output");
        if (unusable.TryGetValue(outputName, out var reason)) throw new OnnxRefusal(reason);
        if (!values.TryGetValue(outputName, out var output)) throw new OnnxRefusal($"no node produces the graph output '{outputName}'");
        if (!output.IsDynamic) throw new OnnxRefusal($"the graph output '{outputName}' does not depend on the image");
        var logitsShape = pending[output.Node].Shape;
        if (logitsShape.Length != 2 || logitsShape[1] != info.Classes)
            throw new GlassboxException($"'{source}' returns shape {string.Join("×", logitsShape)} for one image; {info.Classes} classes need 1×{info.Classes} logits. Check the classes in the model's sidecar JSON.");

        var nodes = Prune(pending, output.Node);
        var parameters = nodes.SelectMany(n => n.Parameters.Values).Distinct().ToList();
        foreach (var t in parameters) t.DetachFromDisposeScope();
        return (nodes, parameters);
    }

    /// <summary>The shape of a tensor as a folded constant; for an image activation, also its value for a batch of two.</summary>
    private static OnnxOperand ShapeOf(NodeProto proto, string name, OnnxOperand?[] operands)
    {
        var x = operands.Length > 0 ? operands[0] : null;
        if (x is null) throw new OnnxRefusal($"node '{name}' (Shape) has no input");
        long[] shape = x.Value.shape;
        var attrs = OnnxTensors.Attributes(proto);
        int rank = shape.Length;
        int Clamp(long v) => (int)Math.Clamp(v < 0 ? v + rank : v, 0, rank);
        int start = attrs.TryGetValue("start", out var s) ? Clamp((long)s) : 0;
        int end = attrs.TryGetValue("end", out var e) ? Clamp((long)e) : rank;
        long[] one = shape[start..Math.Max(start, end)];
        if (!x.IsDynamic || start > 0) return new OnnxOperand(tensor(one), null, -1);
        long[] two = (long[])one.Clone();
        if (two.Length > 0) two[0] = 2;
        return new OnnxOperand(tensor(one), tensor(two), -1);
    }

    /// <summary>Folds <paramref name="c"/> when its operands are constant, else adds it as a node and infers its output shape.</summary>
    private static OnnxOperand Apply(OnnxOpContext c, List<Pending> pending)
    {
        var fn = OnnxOps.Build(c);
        var dataPositions = Enumerable.Range(0, c.Operands.Count).Where(p => c.Operands[p] is not null && !c.ConfigInputs.Contains(p)).ToArray();
        if (dataPositions.All(p => !c.Operands[p]!.IsDynamic))
        {
            Tensor?[] Args(bool two) => c.Operands.Select((o, p) => o is null || c.ConfigInputs.Contains(p) ? null : two ? o.AtBatch2 ?? o.Value : o.Value).ToArray();
            var one = Run(c, fn, Args(false));
            bool varies = dataPositions.Any(p => c.Operands[p]!.AtBatch2 is not null);
            return new OnnxOperand(one, varies ? Run(c, fn, Args(true)) : null, -1);
        }

        var inputs = new List<int>();
        var dynamicPositions = new List<int>();
        var operands = new GraphOperand[c.Operands.Count];
        var parameters = new Dictionary<string, Tensor>();
        var template = new Tensor?[c.Operands.Count];
        var dummies = new Tensor?[c.Operands.Count];
        for (int p = 0; p < c.Operands.Count; p++)
        {
            var o = c.Operands[p];
            if (o is null || c.ConfigInputs.Contains(p)) { operands[p] = new GraphOperand(-1, null); continue; }
            dummies[p] = o.Value;
            if (o.IsDynamic)
            {
                inputs.Add(o.Node);
                dynamicPositions.Add(p);
                operands[p] = new GraphOperand(o.Node, null);
                continue;
            }
            if (o.AtBatch2 is not null) throw c.Refuse($"input {p} ('{c.Proto.Input[p]}') depends on the batch size");
            string key = OnnxOps.InputName(c.OpType, p);
            var value = o.Value.dtype == ScalarType.Float64 ? o.Value.to_type(ScalarType.Float32) : o.Value;
            parameters[key] = value;
            template[p] = value;
            dummies[p] = value;
            operands[p] = new GraphOperand(-1, key);
        }
        int[] positions = [.. dynamicPositions];
        Tensor Function(IReadOnlyList<Tensor> xs)
        {
            var args = (Tensor?[])template.Clone();
            for (int j = 0; j < positions.Length; j++) args[positions[j]] = xs[j];
            return fn(args);
        }
        var result = Run(c, fn, dummies);
        if (result.dtype != ScalarType.Float32)
            throw c.Refuse($"computes {result.dtype} values from the image; the importer handles float32 activations");
        var kept = operands.Where((o, p) => c.Operands[p] is not null && !c.ConfigInputs.Contains(p)).ToArray();
        pending.Add(new Pending(c.OpType, c.Name, [.. inputs], kept, c.Attributes, parameters, result.shape, Function));
        return new OnnxOperand(result, null, pending.Count - 1);
    }

    private static Tensor Run(OnnxOpContext c, Func<Tensor?[], Tensor> fn, Tensor?[] args)
    {
        try
        {
            return fn(args);
        }
        catch (Exception e) when (e is not OnnxRefusal and not GlassboxException)
        {
            string shapes = string.Join(", ", args.Where(a => a is not null).Select(a => string.Join("×", a!.shape)));
            throw c.Refuse($"fails on inputs of shape {shapes} (inferred for one image of the declared input shape): {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>Keeps the nodes the output depends on, renumbered in their (topological) order.</summary>
    private static List<GraphNode> Prune(List<Pending> pending, int output)
    {
        var needed = new bool[pending.Count];
        needed[0] = needed[output] = true;
        for (int i = output; i > 0; i--)
            if (needed[i])
                foreach (int j in pending[i].Inputs) needed[j] = true;
        var index = new int[pending.Count];
        var nodes = new List<GraphNode>();
        for (int i = 0; i < pending.Count; i++)
        {
            if (!needed[i]) continue;
            var p = pending[i];
            index[i] = nodes.Count;
            nodes.Add(new GraphNode(nodes.Count, p.OpType, p.Name, p.Inputs.Select(j => index[j]).ToArray(),
                p.Operands.Select(o => o.IsConstant ? o : new GraphOperand(index[o.Node], null)).ToArray(),
                p.Attributes, p.Parameters, p.Shape, p.Function));
        }
        return nodes;
    }
}
