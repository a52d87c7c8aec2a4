using System.Runtime.CompilerServices;

// Crash tests inject faults between the steps of a checkpoint save.
[assembly: InternalsVisibleTo("Glassbox.Tests")]
