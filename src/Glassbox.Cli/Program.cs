using TorchSharp;
using static TorchSharp.torch;
var info = Glassbox.Engine.NativeRuntime.EnsureInitialized();
Console.WriteLine(info);
var sw = System.Diagnostics.Stopwatch.StartNew();
var conv1 = nn.Conv2d(1, 32, 3); var conv2 = nn.Conv2d(32, 64, 3); var lin = nn.Linear(64*24*24, 10);
var x = randn(100, 1, 28, 28);
for (int i = 0; i < 6; i++) {
  sw.Restart();
  var xx = x.detach().requires_grad_(true);
  var y = lin.forward(nn.functional.relu(conv2.forward(nn.functional.relu(conv1.forward(xx)))).flatten(1));
  y.sum().backward();
  Console.WriteLine($"fwd+bwd 100: {sw.Elapsed.TotalSeconds:F3}s threads={torch.get_num_threads()}");
}
return 0;
