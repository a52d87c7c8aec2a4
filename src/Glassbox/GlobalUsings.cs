// Workflow/Methods/MethodArgumentParser reads baseline images by this name; InputImages now lives in Data.
global using InputImages = Glassbox.Data.InputImages;
