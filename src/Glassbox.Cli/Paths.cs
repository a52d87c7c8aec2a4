namespace Glassbox.Cli;

/// <summary>Finds the MNIST sample that ships with the repository.</summary>
internal static class Paths
{
    /// <summary>data/mnist-sample, looked up from the working directory and then from the program's folder upwards.</summary>
    public static string ShippedSample()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data", "mnist-sample");
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        throw new GlassboxException("The shipped sample data/mnist-sample was not found. Run from the repository, or pass --data <MNIST-format folder>.");
    }
}
