namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>Settings of every score of a <see cref="DisentanglementScorecard"/>; null = the score's disentanglement_lib defaults.</summary>
/// <param name="Mig">MIG settings.</param>
/// <param name="Dci">DCI settings.</param>
/// <param name="FactorVae">FactorVAE-score settings.</param>
/// <param name="Sap">SAP settings.</param>
public sealed record DisentanglementOptions(MigOptions? Mig = null, DciOptions? Dci = null, FactorVaeScoreOptions? FactorVae = null, SapOptions? Sap = null);

/// <summary>
/// MIG, DCI, FactorVAE score and SAP of one representation on one data set — the four scores of Locatello et al.
/// (2019, "Challenging Common Assumptions in the Unsupervised Learning of Disentangled Representations") computed
/// with disentanglement_lib's definitions.
/// </summary>
/// <param name="Mig">Mutual information gap.</param>
/// <param name="Dci">Disentanglement, completeness, informativeness.</param>
/// <param name="FactorVae">FactorVAE score.</param>
/// <param name="Sap">SAP score.</param>
public sealed record DisentanglementScorecard(MigResult Mig, DciResult Dci, FactorVaeScoreResult FactorVae, SapResult Sap)
{
    /// <summary>The headline numbers, in table order.</summary>
    public IReadOnlyList<(string Name, double Value)> Scores =>
    [
        ("MIG", Mig.Score), ("DCI disentanglement", Dci.Disentanglement), ("DCI completeness", Dci.Completeness),
        ("DCI informativeness", Dci.InformativenessTest), ("FactorVAE score", FactorVae.EvalAccuracy), ("SAP", Sap.Score),
    ];

    /// <summary>Computes the four scores; <paramref name="seed"/> is added to every score's own seed.</summary>
    public static DisentanglementScorecard Compute(FactorCodes data, DisentanglementOptions? options = null, int seed = 0)
    {
        var o = options ?? new DisentanglementOptions();
        var mig = o.Mig ?? new MigOptions();
        var dci = o.Dci ?? new DciOptions();
        var fv = o.FactorVae ?? new FactorVaeScoreOptions();
        var sap = o.Sap ?? new SapOptions();
        return new DisentanglementScorecard(
            Glassbox.Generation.Explain.Disentanglement.Mig.Compute(data, mig with { Seed = mig.Seed + seed }),
            Glassbox.Generation.Explain.Disentanglement.Dci.Compute(data, dci with { Seed = dci.Seed + seed }),
            FactorVaeScore.Compute(data, fv with { Seed = fv.Seed + seed }),
            Glassbox.Generation.Explain.Disentanglement.Sap.Compute(data, sap with { Seed = sap.Seed + seed }));
    }
}
