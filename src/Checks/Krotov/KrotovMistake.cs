namespace Hebb.Checks;

/// <summary>Departures from Krotov &amp; Hopfield's fast rule (section 3) that people make, each one the check can replay
/// (<see cref="KrotovTerms.Direction"/>) to see whether it explains an implementation's step.</summary>
public enum KrotovMistake
{
    /// <summary>The rule as written.</summary>
    None,
    /// <summary>Eq. 2 without its decay term -&lt;W, v&gt; W: the update is g R^p v alone.</summary>
    NoDecay,
    /// <summary>The ranking taken over the wrong axis: each unit's samples ranked, instead of each sample's units.</summary>
    SamplesRanked,
    /// <summary>k off by one: the (k+1)-th unit pushed away (an index k where k-1 was meant).</summary>
    RankKPlusOne,
    /// <summary>k off by one: the (k-1)-th unit pushed away.</summary>
    RankKMinusOne,
    /// <summary>The k-th unit pulled towards the input with +Delta instead of pushed away with -Delta.</summary>
    DeltaSign,
    /// <summary>Currents as the plain dot product W v instead of eq. 2's metric inner product sum sign(W)|W|^(p-1) v
    /// (the same for p = 2).</summary>
    NoMetric,
}
