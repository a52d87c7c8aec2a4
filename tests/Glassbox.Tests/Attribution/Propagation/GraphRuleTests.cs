using Glassbox.Attribution.Propagation;
using Glassbox.Models.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Propagation;

/// <summary>The rules for graph nodes that join branches (sum, product, concatenation), on small tensors.</summary>
public class GraphRuleTests
{
    private static GraphOp Op(string opType, int inputs, Dictionary<string, object>? attributes = null)
    {
        Func<IReadOnlyList<Tensor>, Tensor> f = opType switch
        {
            "Add" => a => a[0] + a[1],
            "Sub" => a => a[0] - a[1],
            "Mul" => a => a[0] * a[1],
            _ => a => torch.cat(a.ToArray(), 1),
        };
        var ids = Enumerable.Range(1, inputs).ToArray();
        var node = new GraphNode(inputs + 1, opType, "join", ids, ids.Select(i => new GraphOperand(i, null)).ToArray(),
            attributes ?? new Dictionary<string, object>(), new Dictionary<string, Tensor>(), [1], f);
        return new GraphOp(node);
    }

    private static LayerStep Step(GraphOp op, Tensor[] x, Tensor[]? r = null)
        => new(op, x, op.Forward(x), r, r is null ? null : op.Forward(r));

    private static double Sum(Tensor t) => t.to_type(ScalarType.Float64).sum().item<double>();

    [Fact]
    public void ProductRule_ShapleySplit_IsComplete_WithABroadcastGate()
    {
        var g = new Generator(1);
        Tensor a = torch.randn([2, 3, 4, 4], generator: g), gate = torch.rand([2, 3, 1, 1], generator: g);
        Tensor ar = torch.randn([2, 3, 4, 4], generator: g), gater = torch.rand([2, 3, 1, 1], generator: g);
        var op = Op("Mul", 2);
        var step = Step(op, [a, gate], [ar, gater]);
        var signal = torch.randn([2, 3, 4, 4], generator: g);
        var m = new ProductRule().Backward(step, signal, null);
        Assert.Equal(a.shape, m[0].shape);
        Assert.Equal(gate.shape, m[1].shape);
        double lhs = Sum(m[0] * (a - ar)) + Sum(m[1] * (gate - gater));
        double rhs = Sum(signal * (a * gate - ar * gater));
        Assert.Equal(rhs, lhs, 5);
        // Symmetric: swapping the factors swaps the multipliers.
        var swapped = new ProductRule().Backward(Step(op, [gate, a], [gater, ar]), signal, null);
        Assert.Equal(m[0].data<float>().ToArray(), swapped[1].data<float>().ToArray());
        // Without a reference: the gradient.
        var grad = new ProductRule().Backward(Step(op, [a, gate]), signal, null);
        Assert.Equal((signal * gate).data<float>().ToArray(), grad[0].data<float>().ToArray());
    }

    [Fact]
    public void SumRules_PassMultipliers_AndSplitRelevanceByContribution()
    {
        var g = new Generator(2);
        Tensor a = torch.rand([2, 5], generator: g), b = torch.rand([2, 5], generator: g);
        var signal = torch.randn([2, 5], generator: g);
        var sub = new SumRule().Backward(Step(Op("Sub", 2), [a, b]), signal, null);
        Assert.Equal(signal.data<float>().ToArray(), sub[0].data<float>().ToArray());
        Assert.Equal((-signal).data<float>().ToArray(), sub[1].data<float>().ToArray());
        var r = new ProportionalSumRule(1e-9).Backward(Step(Op("Add", 2), [a, b]), signal, null);
        Assert.Equal(Sum(signal), Sum(r[0]) + Sum(r[1]), 4);
        var expected = (signal * a / (a + b)).data<float>().ToArray();
        var actual = r[0].data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }

    [Fact]
    public void SignalTakesAll_AndConcat_SplitAsDocumented()
    {
        var g = new Generator(3);
        Tensor x = torch.rand([1, 2, 3, 3], generator: g), gate = torch.rand([1, 2, 1, 1], generator: g);
        var relevance = torch.rand([1, 2, 3, 3], generator: g);
        var parts = new SignalTakesAllRule().Backward(Step(Op("Mul", 2), [gate, x]), relevance, null);
        Assert.Equal(0, Sum(parts[0].abs()));
        Assert.Equal(relevance.data<float>().ToArray(), parts[1].data<float>().ToArray());
        var concat = Op("Concat", 2, new Dictionary<string, object> { ["axis"] = 1L });
        Tensor u = torch.rand([1, 1, 3, 3], generator: g), v = torch.rand([1, 2, 3, 3], generator: g);
        var s = torch.rand([1, 3, 3, 3], generator: g);
        var split = new ConcatRule().Backward(Step(concat, [u, v]), s, null);
        Assert.Equal(s.narrow(1, 1, 2).data<float>().ToArray(), split[1].data<float>().ToArray());
        Assert.Equal(s.narrow(1, 0, 1).data<float>().ToArray(), split[0].data<float>().ToArray());
    }
}
