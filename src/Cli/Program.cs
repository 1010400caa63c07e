using Hebb.Cli;

return Commands.Run(args);

namespace Hebb.Cli
{
    using Hebb.Data;

    /// <summary>The command dispatch, callable in-process (hebb reproduce runs a preset's steps through it).</summary>
    public static class Commands
    {
        public static string Usage => $"""
            hebb: local, backpropagation-free learning rules (Krotov & Hopfield, ...), reference and accelerated engines.

              hebb rules                                     every rule: paper, equations, backends, presets
              hebb train {string.Join("|", Recipes.All.Select(r => r.Rule)) + " [options]",-35} unsupervised training; writes a run folder
              hebb eval RUN [options]                        the paper's top layer on a Krotov run; train / test error
              hebb eval RUN|raw --probe linear|mlp|fewshot   probes on a run's encoder or on raw pixels
              hebb reproduce NAME                            a published experiment from presets/NAME.json, ours beside the paper
              hebb bench {BenchCommand.Names + " [options]",-35} an epoch beside its GEMM-only bound (and the reference), one run
              hebb verify [--backend X]                      equivalence of a backend with the reference, on this machine
              hebb check export|compare RULE ...             hold your own implementation of a rule to the reference
              hebb data fetch NAME                           download a dataset and check its checksums

            Backends: --backend auto|cpu|cpu-managed|opencl|cuda (or HEBB_BACKEND); data: --data DIR (or HEBB_DATA).

            hebb COMMAND --help for the options of a command.
            """;

        static readonly string[] Names = ["rules", "train", "eval", "bench", "verify", "check", "data", "reproduce"];

        public static int Run(string[] args)
        {
            DataNotes.Write = note => Console.Error.WriteLine($"hebb: note: {note}");
            var a = new Args(args);
            string command = a.Positional.Count > 0 ? a.Positional[0] : "";
            if (command == "" || (a.Has("help") && !Names.Contains(command)))
            {
                Console.WriteLine(Usage);
                return command == "" && !a.Has("help") ? 2 : 0;
            }
            if (a.Has("help"))
            {
                Console.WriteLine(command switch
                {
                    // hebb train RULE --help, hebb bench NAME --help: that one's help only.
                    "train" => a.Positional.Count > 1 && Recipes.Find(a.Positional[1]) is { } recipe ? recipe.TrainHelp : TrainCommand.Help,
                    "bench" => a.Positional.Count > 1 && Hebb.Bench.Benches.Find(a.Positional[1]) is { } bench ? bench.Help : BenchCommand.Help,
                    "eval" => EvalCommand.Help,
                    "verify" => VerifyCommand.Help, "check" => CheckCommand.Help, "reproduce" => ReproduceCommand.Help, "rules" => RulesCommand.Help, _ => DataCommand.Help,
                });
                return 0;
            }
            try
            {
                return command switch
                {
                    "rules" => RulesCommand.Run(a),
                    "train" => TrainCommand.Run(a),
                    "eval" => EvalCommand.Run(a),
                    "bench" => BenchCommand.Run(a),
                    "verify" => VerifyCommand.Run(a),
                    "check" => CheckCommand.Run(a),
                    "data" => DataCommand.Run(a),
                    "reproduce" => ReproduceCommand.Run(a),
                    _ => throw new UsageException($"unknown command '{command}'; commands: {string.Join(", ", Names)}"),
                };
            }
            catch (UsageException ex)
            {
                Console.Error.WriteLine($"hebb: {ex.Message}");
                return 2;
            }
            catch (StoppedException ex)
            {
                Console.Error.WriteLine($"hebb: {ex.Message}");
                return 130;
            }
            catch (Hebb.Evaluation.ProbeDivergedException ex)
            {
                Console.Error.WriteLine($"hebb: {ex.Message}");
                return 4;
            }
            catch (DivergedException ex)
            {
                Console.Error.WriteLine($"hebb: {ex.Message}");
                return 4;
            }
            catch (DataException ex)
            {
                Console.Error.WriteLine($"hebb: {ex.Message}");
                return 3;
            }
            catch (ArgumentException ex)
            {
                // .NET appends " (Parameter 'name')": the message already names the option or file.
                Console.Error.WriteLine($"hebb: {ex.Message.Split(" (Parameter '")[0]}");
                return 2;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"hebb: could not read or write a file: {ex.Message}");
                return 5;
            }
            catch (Exception ex)
            {
                // The error boundary: never a stack trace. What is left here is a fault of hebb's, named for a report.
                Console.Error.WriteLine($"hebb: internal error ({ex.GetType().Name}: {ex.Message}); please report it with the command line. Set HEBB_TRACE=1 for the stack trace.");
                if (Environment.GetEnvironmentVariable("HEBB_TRACE") == "1") Console.Error.WriteLine(ex);
                return 70;
            }
        }
    }
}
