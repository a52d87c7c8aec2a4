using Glassbox.Attribution.Catalog;
using Glassbox.Cli;
using Glassbox.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(c =>
{
    c.SetApplicationName("glassbox");
    // Flags a command does not declare go to the interceptor: method options for explain/demo/benchmark (bound by the
    // method catalog's schema), an error everywhere else — a mistyped option (--epoch) is never silently ignored.
    c.SetInterceptor(new MethodOptionsInterceptor(MethodCatalog.Default));
    c.PropagateExceptions();
    c.AddCommand<DemoCommand>("demo")
        .WithDescription("Run the whole reference workflow on the shipped MNIST sample: train two models, explain with DeepSHAP, check the explanations, write report.html.");
    c.AddCommand<TrainCommand>("train").WithDescription("Train a classifier on an MNIST-format folder and save a checkpoint (safetensors + JSON).");
    c.AddCommand<TrainGeneratorCommand>("train-generator").WithDescription("Train an image generator (vae, beta-vae, cvae, dcgan, cdcgan); writes a checkpoint, loss curves and a sample grid.");
    c.AddCommand<GenerateCommand>("generate").WithDescription("Draw images from a generator checkpoint (PNG grid + .npy samples and latents); a VAE also reconstructs --input images.");
    c.AddCommand<ExplainCommand>("explain").WithDescription("Explain images (.npy, a PNG/JPEG image or a folder of them) with any attribution method (--method); writes .npy attributions and plots."
        + MethodOptionsHelp.Text(MethodCatalog.Default));
    c.AddCommand<MergeCommand>("merge").WithDescription("Put the folders of a sharded explain (--shard k/n) back together: checks every shard is there once with the same settings and model, writes the single run's arrays.");
    c.AddCommand<EvaluateCommand>("evaluate").WithDescription("Score explanations of several methods with the explanation metrics (faithfulness, robustness, ...): means, 95 % bootstrap CIs, ranks, figures, evaluation.html.");
    c.AddCommand<ExplainGeneratorCommand>("explain-generator").WithDescription("Explain a generator: latent traversals, decoder Jacobians, latent attributions, interpretable directions, counterfactuals, disentanglement scores (--what).");
    c.AddCommand<EvaluateGeneratorCommand>("evaluate-generator").WithDescription("Score a generator checkpoint (FD, KID, precision/recall, density/coverage, Inception Score) in a trained classifier's features, beside the real-vs-real floor.");
    c.AddCommand<ServeCommand>("serve").WithDescription("Start the web explorer on 127.0.0.1: pick a model, an image and a method in the browser and see the maps, checks and metrics (REST API under /api).");
    c.AddCommand<MethodsCommand>("methods").WithDescription("List the attribution methods, what each needs from the model, and its options.");
    c.AddCommand<ReportCommand>("report").WithDescription("Render report.html again from a run folder's metrics.json and figures.");
    c.AddCommand<BenchmarkCommand>("benchmark").WithDescription("Measure training and DeepSHAP throughput against raw forward+backward passes.");
    c.AddCommand<MakeFactorsCommand>("make-factors").WithDescription("Write the synthetic factors set (dSprites-like shapes with known shape, scale, orientation, x, y) as an MNIST-format folder + factors.npy, for --what disentanglement.");
    c.AddCommand<DownloadCommand>("download").WithDescription("Download MNIST or Fashion-MNIST into a local cache, verifying SHA-256 checksums.");
});
return CliRunner.Run(() => app.Run(args));
