namespace Glassbox.Tests.Data;

/// <summary>Paths inside the repository, found by walking up from the test binaries to Glassbox.slnx.</summary>
public static class RepoPaths
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Glassbox.slnx")))
                    return dir.FullName;
            throw new InvalidOperationException("Glassbox.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    public static string MnistSample => Path.Combine(Root, "data", "mnist-sample");
}
