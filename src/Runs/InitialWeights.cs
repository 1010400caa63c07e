using Hebb.Contracts;
using Hebb.Data;

namespace Hebb.Runs;

/// <summary><c>--init FILE.npy</c>: a training run's initial weights from a file, checked whole (shape and finite values)
/// before the run folder is touched, so that a bad file refuses the run and leaves an earlier run in the folder as it
/// was.</summary>
public static class InitialWeights
{
    /// <summary>The weights in <paramref name="file"/>, or a usage error naming the file: another shape than
    /// <paramref name="rows"/> x <paramref name="cols"/> (<paramref name="needs"/> says what asks for it), or a value
    /// that is not finite.</summary>
    public static Matrix Read(string file, int rows, int cols, string needs)
    {
        var w = Npy.Read(file);
        if (w.Rows != rows || w.Cols != cols)
            throw new UsageException($"--init {file}: the weights are {w.Rows}x{w.Cols}; {needs} needs {rows}x{cols}");
        int i = Check.FirstNonFinite(w.Data);
        if (i >= 0)
            throw new UsageException($"--init {file}: weights[{i / cols},{i % cols}] = {w.Data[i]}; every initial weight must be finite");
        return w;
    }
}
