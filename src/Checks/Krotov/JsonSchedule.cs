namespace Hebb.Checks;

/// <summary>A check case's learning-rate schedule: lr0 held (constant) or falling linearly to 0 over the steps (linear,
/// the fast rule's: lr_t = lr0 (1 - (t - 1)/T) at step t of T), and what an implied learning rate says about it.</summary>
public sealed record JsonSchedule(string Kind, double Lr0, int Steps)
{
    /// <summary>The learning rate of step <paramref name="t"/> (0-based).</summary>
    public double At(int t) => Kind == "constant" ? Lr0 : Lr0 * (1.0 - (double)t / Steps);

    /// <summary>What a learning rate of <paramref name="implied"/> at step <paramref name="t"/> (0-based) matches: the
    /// schedule's value of another step (a schedule off by one), lr0 (no schedule), or nothing named.</summary>
    public string Describe(double implied, int t)
    {
        bool Near(double x) => Math.Abs(implied - x) <= 1e-4 * Math.Abs(x);
        if (Near(Lr0) && Kind != "constant") return $"{implied:g6} is lr0: the learning rate is not falling as the {Kind} schedule does";
        for (int s = 0; s < Steps; s++)
            if (s != t && Near(At(s))) return $"{implied:g6} is the schedule's value at step {s + 1}: the schedule is off by {t - s:+0;-0} step(s)";
        return Kind == "constant" ? $"the schedule holds lr0 = {Lr0:g6}" : $"the schedule falls linearly from lr0 = {Lr0:g6} to 0 over {Steps} steps";
    }
}
