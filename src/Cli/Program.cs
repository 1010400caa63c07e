using Hebb.Cli;
using Hebb.Data;

const string usage = """
    hebb: local, backpropagation-free learning rules (Krotov & Hopfield, ...), reference and accelerated engines.

      hebb train krotov|nnl-conv [options]   unsupervised training; writes a run folder
      hebb eval RUN [options]         the paper's top layer on a run's frozen weights; train / test error
      hebb eval RUN|raw --probe linear|mlp|fewshot   CSNN's probes on a run's encoder or on raw pixels
      hebb bench krotov|mlp [options] an epoch beside its GEMM-only bound (and the reference), one run
      hebb verify [--backend X]       equivalence of a backend with the reference, on this machine
      hebb data fetch NAME            download a dataset and check its checksums

    Backends: --backend auto|cpu|cpu-managed|opencl|cuda (or HEBB_BACKEND); data: --data DIR (or HEBB_DATA).

    hebb COMMAND --help for the options of a command.
    """;

var a = new Args(args);
string command = a.Positional.Count > 0 ? a.Positional[0] : "";
if (command == "" || (a.Has("help") && command is not ("train" or "eval" or "bench" or "verify" or "data")))
{
    Console.WriteLine(usage);
    return command == "" && !a.Has("help") ? 2 : 0;
}
if (a.Has("help"))
{
    Console.WriteLine(command switch
    {
        "train" => TrainCommand.Help + "\n" + ConvTrainCommand.Help, "eval" => EvalCommand.Help, "bench" => BenchCommand.Help,
        "verify" => VerifyCommand.Help, _ => DataCommand.Help,
    });
    return 0;
}
try
{
    return command switch
    {
        "train" => TrainCommand.Run(a),
        "eval" => EvalCommand.Run(a),
        "bench" => BenchCommand.Run(a),
        "verify" => VerifyCommand.Run(a),
        "data" => DataCommand.Run(a),
        _ => throw new UsageException($"unknown command '{command}'; commands: train, eval, bench, verify, data"),
    };
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"hebb: {ex.Message}");
    return 2;
}
catch (DataException ex)
{
    Console.Error.WriteLine($"hebb: {ex.Message}");
    return 3;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"hebb: {ex.Message}");
    return 2;
}
