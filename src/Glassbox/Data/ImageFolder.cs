namespace Glassbox.Data;

/// <summary>
/// Loads a folder with one subfolder per class, each holding PNG or JPEG files, into an <see cref="ImageDataset"/>.
/// Classes are the subfolder names sorted ordinally (folders starting with '.' are skipped); images are taken per
/// class in ordinal file-name order.
/// </summary>
public static class ImageFolder
{
    /// <summary>
    /// Loads every image below <paramref name="folder"/>. Without a target size in <paramref name="options"/> all
    /// images must have the size of the first one. Defaults: 3 channels (RGB), no resize. Alpha is ignored.
    /// </summary>
    public static ImageDataset Load(string folder, ImageLoadOptions? options = null)
    {
        options ??= new ImageLoadOptions();
        options.Validate();
        if (!Directory.Exists(folder))
            throw new GlassboxException($"Image folder '{folder}' does not exist. Check the path.");
        string[] classDirs = Directory.GetDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new GlassboxException($"Image folder '{folder}' has no subfolders; put each class's images in a subfolder named after the class.");

        var classNames = classDirs.Select(Path.GetFileName).Select(n => n!).ToArray();
        var files = new List<(string Path, int Label)>();
        for (int c = 0; c < classDirs.Length; c++)
        {
            string[] images = Directory.GetFiles(classDirs[c])
                .Where(IsImageFile)
                .Order(StringComparer.Ordinal).ToArray();
            if (images.Length == 0)
                throw new GlassboxException($"Class folder '{classDirs[c]}' has no PNG or JPEG images; add images or remove the folder.");
            files.AddRange(images.Select(f => (f, c)));
        }

        int channels = options.Channels;
        int height = 0, width = 0;
        float[]? pixels = null;
        var labels = new int[files.Count];
        string firstFile = files[0].Path;
        for (int i = 0; i < files.Count; i++)
        {
            float[] image = ImageDecoder.Decode(files[i].Path, channels, options.Height, options.Width, out int h, out int w);
            if (pixels is null)
            {
                height = h;
                width = w;
                pixels = new float[checked((long)files.Count * channels * h * w)];
            }
            else if (h != height || w != width)
            {
                throw new GlassboxException($"Image '{files[i].Path}' is {h}×{w} (height×width) but '{firstFile}' is {height}×{width}. Give a target size to resize all images, or make them the same size.");
            }
            Array.Copy(image, 0, pixels, (long)i * image.Length, image.Length);
            labels[i] = files[i].Label;
        }
        return new ImageDataset(pixels!, files.Count, channels, height, width, labels, classNames);
    }

    private static bool IsImageFile(string path)
    {
        string ext = Path.GetExtension(path);
        return ext.Equals(".png", StringComparison.OrdinalIgnoreCase)
            || ext.Equals(".jpg", StringComparison.OrdinalIgnoreCase)
            || ext.Equals(".jpeg", StringComparison.OrdinalIgnoreCase);
    }
}
