"""A fictitious « enquête habitants » for demonstrations and tests.

:func:`write_demo_survey` writes, for the communes of a territory, a **LimeSurvey CSV
export** (codes, UTF-8 with BOM, the usual first columns) and its **codebook**, so that the
demonstration goes through the real reader: access to care, renunciation to care and its
reasons (multiple response with an « autre » text), mental health (Likert battery),
screening, mobility, digital access, number of GP visits, age, sex, and the commune written
freely (abbreviations, missing accents, typos, postal codes, a few communes outside the
territory). Answers are drawn from a seeded :class:`numpy.random.Generator`: same seed, same
files. Women and older people answer more (as in real surveys), so raking matters; a few
responses are incomplete or submitted twice, so cleaning has work to do.

**The data are fictitious**: they describe no real person or territory.

Examples
--------
>>> import tempfile
>>> communes = pd.DataFrame({"code": ["17008", "17222", "17337"],
...                          "name": ["Andilly", "Marans", "Saint-Jean-de-Liversay"],
...                          "population": [2400, 4700, 3300]})
>>> with tempfile.TemporaryDirectory() as tmp:
...     r = demo_responses(communes, n=200, seed=1, directory=tmp)
>>> len(r.data) > 150, "motifs_renoncement" in set(r.codebook["question"])
(True, True)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis.survey.codebook import _atomic_write, write_codebook
from cls_analysis.survey.readers import read_limesurvey
from cls_analysis.survey.responses import SurveyResponses

__all__ = ["DEMO_AGE_BANDS", "demo_codebook", "demo_observations", "demo_responses", "write_demo_survey"]

DEMO_AGE_BANDS = ("15-29", "30-44", "45-59", "60-74", "75+")
_CENSUS_BANDS = ("0-14", "15-29", "30-44", "45-59", "60-74", "75+")
_AGE_SHARE = np.array([0.17, 0.15, 0.17, 0.20, 0.19, 0.12])  # fictitious age pyramid
_ACCESS = "A1=Très facile | A2=Plutôt facile | A3=Plutôt difficile | A4=Très difficile"
_FREQ = "A1=Jamais | A2=Rarement | A3=Parfois | A4=Souvent | A5=En permanence"
_MOTIFS = [
    ("SQ001", "motif_delai", "Délai de rendez-vous trop long"),
    ("SQ002", "motif_cout", "Coût, reste à charge"),
    ("SQ003", "motif_distance", "Distance, pas de moyen de transport"),
    ("SQ004", "motif_pas_medecin", "Pas de médecin disponible, refus de nouveaux patients"),
    ("SQ005", "motif_temps", "Manque de temps"),
    ("SQ006", "motif_peur", "Appréhension, peur des soins"),
]


def demo_codebook() -> pd.DataFrame:
    """The codebook of the demonstration survey (see :mod:`cls_analysis.survey.codebook`)."""
    rows = [
        ("commune", "COMMUNE", "commune", "commune", "Dans quelle commune habitez-vous ?", "", "", ""),
        ("sexe", "SEXE", "sexe", "single", "Vous êtes…", "", "F=Femme | M=Homme", ""),
        ("age", "AGE", "age", "age", "Quel est votre âge ?", "", "", ""),
        ("sante", "SANTE", "sante", "likert", "Comment est votre état de santé en général ?", "",
         "A1=Très bon | A2=Bon | A3=Assez bon | A4=Mauvais | A5=Très mauvais", ""),
        ("medecin_traitant", "MEDTT", "medecin_traitant", "single", "Avez-vous un médecin traitant ?", "",
         "Y=Oui | N=Non", ""),
    ]
    for code, var, label in [("SQ001", "acces_generaliste", "Médecin généraliste"),
                             ("SQ002", "acces_dentiste", "Dentiste"),
                             ("SQ003", "acces_ophtalmo", "Ophtalmologiste"),
                             ("SQ004", "acces_urgences", "Urgences")]:
        rows.append((var, f"ACCES[{code}]", "acces", "likert",
                     "Diriez-vous qu'il est facile d'accéder aux professionnels suivants ?", label, _ACCESS, ""))
    rows.append(("renonce", "RENONC", "renonce", "single",
                 "Au cours des 12 derniers mois, avez-vous renoncé à des soins ?", "", "Y=Oui | N=Non", ""))
    for code, var, label in _MOTIFS:
        rows.append((var, f"MOTIFS[{code}]", "motifs_renoncement", "multiple",
                     "Pour quelles raisons avez-vous renoncé à des soins ?", label, "", ""))
    rows.append(("motifs_autre", "MOTIFS[other]", "motifs_renoncement", "free_text",
                 "Pour quelles raisons avez-vous renoncé à des soins ?", "Autre", "", ""))
    for code, var, label in [("SQ001", "psy_nerveux", "Très nerveux ou nerveuse"),
                             ("SQ002", "psy_deprime", "Découragé(e), déprimé(e)"),
                             ("SQ003", "psy_seul", "Seul(e), isolé(e)"),
                             ("SQ004", "psy_dormir", "Des difficultés à dormir")]:
        rows.append((var, f"PSY[{code}]", "sante_mentale", "likert",
                     "Au cours des 4 dernières semaines, vous êtes-vous senti(e)…", label, _FREQ, ""))
    rows += [
        ("depistage", "DEPIST", "depistage", "single",
         "Avez-vous fait un dépistage de cancer recommandé pour votre âge ces deux dernières années ?", "",
         "Y=Oui | N=Non | NSP=Ne sait pas", "NSP"),
        ("mobilite", "MOBIL", "mobilite", "single", "Comment vous rendez-vous le plus souvent chez le médecin ?", "",
         "A1=Voiture personnelle | A2=Accompagné(e) par un proche | A3=Transports en commun | "
         "A4=À pied ou à vélo | A5=Taxi, transport sanitaire", ""),
        ("internet", "INTERNET", "internet", "single", "Avez-vous accès à internet à domicile ?", "", "Y=Oui | N=Non", ""),
        ("teleconsultation", "TELECONS", "teleconsultation", "single",
         "Avez-vous déjà fait une téléconsultation ?", "", "Y=Oui | N=Non", ""),
        ("nb_consult", "NBCONS", "nb_consult", "numeric",
         "Combien de fois avez-vous consulté un médecin généraliste au cours des 12 derniers mois ?", "", "", ""),
        ("suggestions", "SUGGEST", "suggestions", "free_text",
         "Avez-vous des suggestions pour améliorer la santé sur votre territoire ?", "", "", ""),
    ]
    return pd.DataFrame(rows, columns=["variable", "column", "question", "type", "text", "label", "levels", "missing"])


def _written_name(name: str, rng: np.random.Generator, code: str) -> str:
    """A commune name as a respondent might write it."""
    import unicodedata

    u = rng.random()
    if u < 0.35:
        return name
    if u < 0.50:
        return name.lower()
    if u < 0.62:
        plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
        return plain.replace("-", " ").upper() if rng.random() < 0.5 else plain.replace("-", " ")
    if u < 0.72:
        return name.replace("Saint-", "St ").replace("Sainte-", "Ste ").replace("-", " ")
    if u < 0.80:
        return f"{name} ({code[:2]})"
    if u < 0.88 and len(name) > 5:
        i = int(rng.integers(1, len(name) - 1))
        return name[:i] + name[i] + name[i:] if rng.random() < 0.5 else name[:i] + name[i + 1 :]
    if u < 0.94:
        words = name.split("-")
        return " ".join(words[:2]) if len(words) > 2 else name
    return name.lower().replace("-", " ")


def write_demo_survey(
    directory: str | Path,
    communes: pd.DataFrame,
    *,
    n: int = 800,
    seed: int = 2026,
) -> tuple[Path, Path]:
    """Write the fictitious survey as a LimeSurvey CSV export and its codebook.

    Parameters
    ----------
    directory : str or Path
        Where to write ``enquete_habitants_demo.csv`` and ``codebook_demo.csv``.
    communes : DataFrame
        ``code, name, population`` of the territory's communes.
    n : int, default 800
        Number of completed responses before the incomplete and duplicated ones are added.
    seed : int, default 2026

    Returns
    -------
    (Path, Path)
        The export and the codebook.
    """
    rng = np.random.default_rng(seed)
    directory = Path(directory)
    codes = communes["code"].astype(str).to_numpy()
    names = communes["name"].astype(str).to_numpy()
    pop = pd.to_numeric(communes["population"]).to_numpy(dtype=float)
    # respondents: the sampling/response mechanism over-represents women and older people
    n_inc = max(1, n // 16)
    m = n + n_inc
    com = rng.choice(len(codes), size=m, p=pop / pop.sum())
    female = rng.random(m) < 0.60
    band = rng.choice(5, size=m, p=[0.11, 0.15, 0.22, 0.30, 0.22])
    lows, highs = np.array([15, 30, 45, 60, 75]), np.array([29, 44, 59, 74, 95])
    age = rng.integers(lows[band], highs[band] + 1)
    older = (age - 50) / 20
    # answers
    rural = (pop[com] < np.median(pop)).astype(float)
    health_lat = 0.35 * older + 0.25 * rng.standard_normal(m) + 0.15 * rural + rng.normal(0, 0.8, m)
    sante = np.digitize(health_lat, [-0.9, 0.1, 1.0, 1.9]) + 1
    medtt = rng.random(m) < 0.88 - 0.10 * rural
    access_base = 0.8 * rural + 0.5 * (~medtt)
    acces = np.column_stack([
        np.clip(np.digitize(access_base + rng.normal(shift, 0.9, m), [0.2, 1.0, 1.8]) + 1, 1, 4)
        for shift in (-0.4, 0.5, 1.1, 0.4)
    ])
    p_ren = 1 / (1 + np.exp(-(-1.2 + 0.6 * rural + 0.5 * (~female) * 0 + 0.4 * (age < 45) + 0.5 * (~medtt))))
    renonce = rng.random(m) < p_ren
    motif_p = np.array([0.55, 0.30, 0.22, 0.35, 0.18, 0.10])
    motifs = (rng.random((m, 6)) < motif_p) & renonce[:, None]
    none_ticked = renonce & ~motifs.any(axis=1)
    motifs[none_ticked, 0] = True
    other_txt = np.where(renonce & (rng.random(m) < 0.08),
                         rng.choice(["Pas de mutuelle", "Horaires incompatibles avec mon travail",
                                     "Je m'occupe de mon conjoint malade"], size=m), "")
    psy_lat = -0.3 * older + 0.5 * (~female) * -1 + rng.normal(0, 1, m)
    psy = np.column_stack([np.clip(np.digitize(psy_lat + rng.normal(s, 0.7, m), [-0.8, 0.2, 1.0, 1.8]) + 1, 1, 5)
                           for s in (0.2, -0.3, -0.2, 0.3)])
    depist = np.where(rng.random(m) < 0.07, "NSP", np.where(rng.random(m) < 0.55 + 0.1 * (age > 50), "Y", "N"))
    mobil = rng.choice(5, size=m, p=[0.72, 0.09, 0.07, 0.08, 0.04]) + 1
    mobil = np.where((age >= 80) & (rng.random(m) < 0.5), 2, mobil)
    internet = rng.random(m) < np.clip(0.97 - 0.006 * np.maximum(age - 50, 0), 0.5, 1)
    telecons = internet & (rng.random(m) < 0.30 - 0.002 * (age - 50))
    nb_consult = rng.poisson(2.5 + 0.05 * np.maximum(age - 40, 0) + 1.2 * (sante >= 4))
    suggestion = np.where(rng.random(m) < 0.15, rng.choice([
        "Plus de médecins généralistes sur la commune", "Un bus vers l'hôpital le matin",
        "Des permanences de dépistage au marché", "Une maison de santé", "Aider les aidants"], size=m), "")
    written = np.array([_written_name(names[c], rng, codes[c]) for c in com], dtype=object)
    outside = rng.random(m) < 0.02
    written[outside] = rng.choice(["La Rochelle", "Niort", "Paris 15e"], size=int(outside.sum()))
    written[rng.random(m) < 0.03] = ""
    # item non-response
    miss = lambda p: rng.random(m) < p  # noqa: E731
    start = pd.Timestamp("2026-05-04 08:00:00") + pd.to_timedelta(rng.integers(0, 40 * 24 * 3600, m), unit="s")
    submit = start + pd.to_timedelta(rng.integers(240, 1500, m), unit="s")
    yn = lambda b: np.where(b, "Y", "N")  # noqa: E731
    cols: dict[str, np.ndarray] = {
        "id": np.arange(1, m + 1),
        "submitdate": submit.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "lastpage": np.full(m, 5),
        "startlanguage": np.full(m, "fr"),
        "seed": rng.integers(10**8, 10**9, m),
        "startdate": start.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "datestamp": submit.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "COMMUNE": written,
        "SEXE": np.where(female, "F", "M"),
        "AGE": age.astype(str),
        "SANTE": np.where(miss(0.02), "", np.char.add("A", sante.astype(str))),
        "MEDTT": yn(medtt),
    }
    for j, code in enumerate(["SQ001", "SQ002", "SQ003", "SQ004"]):
        cols[f"ACCES[{code}]"] = np.where(miss(0.04), "", np.char.add("A", acces[:, j].astype(str)))
    cols["RENONC"] = yn(renonce)
    for j, (code, _, _) in enumerate(_MOTIFS):
        cols[f"MOTIFS[{code}]"] = np.where(motifs[:, j], "Y", "")
    cols["MOTIFS[other]"] = other_txt
    for j, code in enumerate(["SQ001", "SQ002", "SQ003", "SQ004"]):
        cols[f"PSY[{code}]"] = np.where(miss(0.05), "", np.char.add("A", psy[:, j].astype(str)))
    cols["DEPIST"] = np.where(miss(0.03), "", depist)
    cols["MOBIL"] = np.char.add("A", mobil.astype(str))
    cols["INTERNET"] = yn(internet)
    cols["TELECONS"] = np.where(internet, yn(telecons), "")
    cols["NBCONS"] = np.where(miss(0.06), "", nb_consult.astype(str))
    cols["SUGGEST"] = suggestion
    frame = pd.DataFrame(cols).copy()  # own, writable buffers (pandas 3 may wrap read-only arrays)
    # incomplete responses: no submission date, stopped on an early page
    inc = rng.choice(m, size=n_inc, replace=False)
    frame.loc[inc, ["submitdate", "datestamp"]] = ""
    frame.loc[inc, "lastpage"] = rng.integers(1, 4, n_inc)
    late = [c for c in frame.columns if c.startswith(("PSY", "DEPIST", "MOBIL", "INTERNET", "TELECONS", "NBCONS", "SUGGEST"))]
    frame.loc[inc, late] = ""
    # two double submissions (same answers, next ids)
    dup = frame.loc[rng.choice(np.setdiff1d(np.arange(m), inc), size=2, replace=False)].copy()
    dup["id"] = np.arange(m + 1, m + 3)
    frame = pd.concat([frame, dup], ignore_index=True)
    export = directory / "enquete_habitants_demo.csv"
    _atomic_write(export, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))
    codebook = write_codebook(demo_codebook(), directory / "codebook_demo.csv")
    return export, codebook


def demo_observations(communes: pd.DataFrame, *, period: str = "2021") -> pd.DataFrame:
    """Fictitious census observations: population by commune × sex × age band.

    Shaped as the project's observations (``zone_type, zone_code, period, measure, sex, age,
    value, status, source``), for :func:`~cls_analysis.survey.margins_from_observations`.
    """
    rows = []
    for k, rec in enumerate(communes.itertuples(index=False)):
        pop = float(rec.population)
        tilt = np.linspace(-0.04, 0.04, len(_AGE_SHARE)) * ((k % 3) - 1)
        share = np.clip(_AGE_SHARE + tilt, 0.02, None)
        share /= share.sum()
        for band, s in zip(_CENSUS_BANDS, share, strict=True):
            female = 0.515 if band != "75+" else 0.60
            for sex, f in (("F", female), ("M", 1 - female)):
                rows.append(("commune", str(rec.code), period, "population", sex, band, round(pop * s * f, 3),
                             "ok", f"Données fictives (démonstration) {period}"))
    return pd.DataFrame(rows, columns=["zone_type", "zone_code", "period", "measure", "sex", "age", "value",
                                       "status", "source"])


def demo_responses(
    communes: pd.DataFrame,
    n: int = 800,
    seed: int = 2026,
    *,
    directory: str | Path | None = None,
) -> SurveyResponses:
    """The fictitious survey, written as a LimeSurvey export and read back by
    :func:`~cls_analysis.survey.read_limesurvey` (communes matched, ages in
    :data:`DEMO_AGE_BANDS`).

    Parameters
    ----------
    communes : DataFrame
        ``code, name, population`` of the territory's communes.
    n : int, default 800
    seed : int, default 2026
    directory : str or Path, optional
        Where to keep the files (a temporary folder otherwise).
    """
    if directory is None:
        with tempfile.TemporaryDirectory() as tmp:
            return demo_responses(communes, n, seed, directory=tmp)
    export, codebook = write_demo_survey(directory, communes, n=n, seed=seed)
    r = read_limesurvey(export, codebook, communes=communes[["code", "name"]], age_bands=DEMO_AGE_BANDS)
    note = pd.DataFrame([{"step": "démonstration", "variable": "", "count": None,
                          "message": "données fictives, tirées au hasard : elles ne décrivent personne."}])
    r.report = pd.concat([note, r.report], ignore_index=True)
    return r
