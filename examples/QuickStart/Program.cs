using Glassbox;
using Glassbox.Attribution;

// A checkpoint written by `glassbox demo` (or a Sequential spec .json, TorchScript .pt, .onnx) and the images it explained.
using var model = Explainer.LoadModel("glassbox-out/model-a");
var explainer = Explainer.Create(model, "integrated-gradients", new Dictionary<string, string> { ["n-steps"] = "32" });
var explanation = explainer.Explain("glassbox-out/inputs.npy", TargetSelection.Classes(3, 7));
var check = explanation.Check()!;   // integrated gradients: Σφ − (f(x) − f(baseline)), its convergence delta
explanation.SaveImagePlot("quickstart.png");
Console.WriteLine($"{explanation.Method}: {explanation.Count} images × {explanation.TargetsPerInput} classes, max |δ| = {check.Max:E1}");
