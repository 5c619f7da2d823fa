"""Content for a believable demo contest: 24 startups, 6 judges and their PDF pitch decks.

Everything here is fictional (".example" domains) and pure: no Streamlit, no database. The
contest is the "Prix Lyon Startup Web 2027" of the association "Lyon Startup Web"; texts are
in French.

`make_demo_deck` draws a 9-slide, 16:9 pitch deck with fpdf2's core Helvetica font. Core fonts
are single-byte, so every string goes through `_pdf_text`, which maps what the WinAnsi
(cp1252) encoding cannot show. Output is deterministic: the same startup always gives the
same bytes (fixed creation date, figures seeded from the startup name).
"""

from __future__ import annotations

import colorsys
import hashlib
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple, cast

from fpdf import FPDF

__all__ = [
    "ASSOCIATION_NAME",
    "CONTEST_NAME",
    "DEMO_CATEGORIES",
    "DEMO_JUDGES",
    "DEMO_STARTUPS",
    "DemoStartup",
    "make_demo_deck",
]

ASSOCIATION_NAME = "Lyon Startup Web"
CONTEST_NAME = "Prix Lyon Startup Web 2027"


@dataclass(frozen=True)
class DemoStartup:
    """One fictional applicant, with everything needed to fill an application and its deck."""

    startup_name: str
    one_liner: str  # one sentence, French
    category: str  # one of DEMO_CATEGORIES
    website: str  # https://<slug>.example
    founders: str  # "Camille Martin (CEO), Youssef Benali (CTO)"
    contact_email: str  # <first name>@<slug>.example
    description: str  # 3-5 sentences: problem, solution, business model, traction
    # The content slides that follow the title slide, in order: (title, bullet points).
    slides: tuple[tuple[str, tuple[str, ...]], ...]


HEALTH = "Santé & bien-être"
CLIMATE = "Climat & énergie"
FINTECH = "Fintech & services"
FOOD = "Commerce & food"

DEMO_CATEGORIES: tuple[str, ...] = (HEALTH, CLIMATE, FINTECH, FOOD)

# Slide titles; make_demo_deck gives these a dedicated layout (chart, matrix, team cards…).
SLIDE_PROBLEM = "Le problème"
SLIDE_SOLUTION = "Notre solution"
SLIDE_MARKET = "Le marché"
SLIDE_MODEL = "Modèle économique"
SLIDE_TRACTION = "Traction"
SLIDE_COMPETITION = "Concurrence"
SLIDE_TEAM = "L’équipe"
SLIDE_ASK = "Notre levée"

_ASK_AMOUNT_PREFIX = "Montant recherché : "
_ASK_FUNDS_PREFIX = "Utilisation des fonds : "
_EDGE_PREFIX = "Notre avantage"

_FUND_USES = ("Produit & tech", "Commercial & marketing", "Recrutements", "Fonds de roulement")

_COMPETITION_AXES: dict[str, tuple[str, str]] = {
    HEALTH: ("Accessibilité", "Suivi personnalisé"),
    CLIMATE: ("Simplicité de mise en œuvre", "Impact mesurable"),
    FINTECH: ("Simplicité d’usage", "Adapté aux TPE"),
    FOOD: ("Prix accessible", "Expérience client"),
}

_CITIES = ("Lyon 2e", "Lyon 7e", "Villeurbanne", "Lyon 3e", "Vaulx-en-Velin", "Lyon 9e")


# --------------------------------------------------------------------------------------------
# Figures behind the charts
# --------------------------------------------------------------------------------------------


class _Figures(NamedTuple):
    """The numbers a deck draws; kept next to the slide texts that quote them."""

    market: tuple[tuple[str, float, str], ...]  # (TAM/SAM/SOM, value in M€, what it covers)
    traction_label: str
    traction: tuple[float, ...]  # 12 monthly values, the last one is today's
    competitors: tuple[str, ...]
    ask_k_eur: int
    stage: str
    funds: tuple[tuple[str, int], ...]  # (use of funds, percent), sums to 100


_FIGURES: dict[str, _Figures] = {}


def _seed(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")


def _rng(name: str, salt: str) -> random.Random:
    return random.Random(_seed(salt, name))


def _monthly_series(name: str, final: float) -> tuple[float, ...]:
    """Twelve months of growth ending exactly at `final`, shaped by the startup name."""
    rng = _rng(name, "traction")
    growth = rng.uniform(0.07, 0.15)
    values = [float(final)]
    for _ in range(11):
        step = -rng.uniform(0.0, 0.04) if rng.random() < 0.12 else growth * rng.uniform(0.4, 1.6)
        values.append(values[-1] / (1 + step))
    return tuple(reversed(values))


def _fund_split(name: str) -> tuple[tuple[str, int], ...]:
    """Use of funds in multiples of 5 %, at least 10 % each, summing to 100 %."""
    rng = _rng(name, "funds")
    weights = [
        rng.uniform(2.5, 7.0),
        rng.uniform(2.0, 6.0),
        rng.uniform(1.5, 5.0),
        rng.uniform(1, 3),
    ]
    total = sum(weights)
    percents = [max(10, 5 * round(20 * w / total)) for w in weights]
    percents[percents.index(max(percents))] += 100 - sum(percents)
    return tuple(zip(_FUND_USES, percents, strict=True))


def _fallback_figures(startup: DemoStartup) -> _Figures:
    """Plausible seeded figures for a DemoStartup that was not built by this module."""
    rng = _rng(startup.startup_name, "fallback")
    tam = rng.choice((1800, 3500, 6400, 9000, 12000))
    sam = round(tam * rng.uniform(0.08, 0.2))
    som = round(sam * rng.uniform(0.02, 0.05), 1)
    competitors: list[str] = []
    for title, bullets in startup.slides:
        if title == SLIDE_COMPETITION:
            competitors = [
                b.split(" : ")[0] for b in bullets if not b.startswith(_EDGE_PREFIX) and " : " in b
            ]
    return _Figures(
        market=(("TAM", tam, "Marché européen"), ("SAM", sam, "France"), ("SOM", som, "À 5 ans")),
        traction_label="Clients payants",
        traction=_monthly_series(startup.startup_name, rng.randint(40, 400)),
        competitors=tuple(competitors[:3])
        or ("Acteur historique", "Outils génériques", "Statu quo"),
        ask_k_eur=rng.choice((500, 800, 1000, 1500)),
        stage="Seed",
        funds=_fund_split(startup.startup_name),
    )


def _figures_for(startup: DemoStartup) -> _Figures:
    figures = _FIGURES.get(startup.startup_name)
    return figures if figures is not None else _fallback_figures(startup)


# --------------------------------------------------------------------------------------------
# French number formatting
# --------------------------------------------------------------------------------------------


def _fr_number(value: float, decimals: int = 0) -> str:
    """French separators: (12400,) -> "12 400", (4.25, 1) -> "4,2"."""
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")


def _fr_compact(value: float) -> str:
    """A chart label: 38000 -> "38 000", 8.2 -> "8,2", 42.0 -> "42"."""
    if value >= 100 or float(value).is_integer():
        return _fr_number(value)
    return _fr_number(value, 1)


def _money_m(value_m_eur: float) -> str:
    """An amount given in M€, written the way a pitch deck would: "4,2 Md€", "60 M€"."""
    if value_m_eur >= 1000:
        billions = value_m_eur / 1000
        return f"{_fr_number(billions, 0 if billions.is_integer() or billions >= 10 else 1)} Md€"
    if value_m_eur >= 1:
        decimals = 0 if float(value_m_eur).is_integer() or value_m_eur >= 10 else 1
        return f"{_fr_number(value_m_eur, decimals)} M€"
    return f"{_fr_number(value_m_eur * 1000)} k€"


def _money_k(value_k_eur: int) -> str:
    """800 -> "800 k€", 1500 -> "1,5 M€"."""
    return _money_m(value_k_eur / 1000)


# --------------------------------------------------------------------------------------------
# Building the startups
# --------------------------------------------------------------------------------------------


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9-]+", "", plain.lower().replace(" ", "-"))


def _startup(
    name: str,
    *,
    category: str,
    slug: str,
    one_liner: str,
    founders: tuple[tuple[str, str, str], ...],
    description: str,
    problem: tuple[str, ...],
    solution: tuple[str, ...],
    market: tuple[tuple[float, str], tuple[float, str], tuple[float, str]],
    model: tuple[str, ...],
    traction: tuple[str, float, tuple[str, ...]],
    competitors: tuple[tuple[str, str], ...],
    edge: str,
    ask: tuple[int, str, tuple[str, ...]],
) -> DemoStartup:
    """Assemble a DemoStartup (and remember the figures its deck charts)."""
    rng = _rng(name, "team")
    traction_label, traction_now, highlights = traction
    ask_k_eur, stage, milestones = ask
    funds = _fund_split(name)
    market_rows = tuple(
        (label, value, text)
        for label, (value, text) in zip(("TAM", "SAM", "SOM"), market, strict=True)
    )
    team_size = len(founders) + rng.randint(2, 12)
    slides = (
        (SLIDE_PROBLEM, problem),
        (SLIDE_SOLUTION, solution),
        (
            SLIDE_MARKET,
            tuple(f"{label} – {_money_m(v)} : {text}" for label, v, text in market_rows),
        ),
        (SLIDE_MODEL, model),
        (SLIDE_TRACTION, highlights),
        (
            SLIDE_COMPETITION,
            (
                *(f"{rival} : {weakness}" for rival, weakness in competitors),
                f"{_EDGE_PREFIX} : {edge}",
            ),
        ),
        (
            SLIDE_TEAM,
            (
                *(f"{person} ({role}) : {background}" for person, role, background in founders),
                f"{team_size} personnes aujourd’hui, basées à {rng.choice(_CITIES)}",
            ),
        ),
        (
            SLIDE_ASK,
            (
                f"{_ASK_AMOUNT_PREFIX}{_money_k(ask_k_eur)} ({stage})",
                _ASK_FUNDS_PREFIX + ", ".join(f"{use.lower()} {pct} %" for use, pct in funds),
                *milestones,
            ),
        ),
    )
    _FIGURES[name] = _Figures(
        market=market_rows,
        traction_label=traction_label,
        traction=_monthly_series(name, traction_now),
        competitors=tuple(rival for rival, _ in competitors),
        ask_k_eur=ask_k_eur,
        stage=stage,
        funds=funds,
    )
    first_name = founders[0][0].split()[0]
    return DemoStartup(
        startup_name=name,
        one_liner=one_liner,
        category=category,
        website=f"https://{slug}.example",
        founders=", ".join(f"{person} ({role})" for person, role, _ in founders),
        contact_email=f"{_ascii_slug(first_name)}@{slug}.example",
        description=description,
        slides=slides,
    )


DEMO_STARTUPS: tuple[DemoStartup, ...] = (
    # ---------------------------------------------------------------- Santé & bien-être
    _startup(
        "Kinéo Live",
        category=HEALTH,
        slug="kineolive",
        one_liner=(
            "La rééducation qui continue à la maison, suivie à distance par votre kinésithérapeute."
        ),
        founders=(
            ("Camille Martin", "CEO", "Kinésithérapeute libérale pendant 9 ans à Villeurbanne"),
            ("Youssef Benali", "CTO", "Ex-lead développeur mobile dans une healthtech lyonnaise"),
        ),
        description=(
            "Après une opération du genou ou de l’épaule, moins d’un patient sur deux fait ses "
            "exercices de rééducation à domicile, ce qui allonge la prise en charge de plusieurs "
            "semaines. Kinéo Live donne au kinésithérapeute une application pour prescrire des "
            "programmes vidéo personnalisés et suivre la douleur et l’observance entre deux "
            "séances. Le cabinet paie 39 € par praticien et par mois, le patient ne paie rien. "
            "Lancé en mars 2026, Kinéo Live équipe 64 cabinets (210 praticiens) et suit 3 100 "
            "patients actifs, pour un MRR de 8,2 k€."
        ),
        problem=(
            "Moins d’un patient sur deux fait ses exercices à domicile après une chirurgie "
            "orthopédique",
            "Le kiné n’a aucune visibilité entre deux séances : douleur, progrès, abandon",
            "Des rééducations qui s’allongent de 3 à 6 semaines et des cabinets saturés",
        ),
        solution=(
            "Programmes d’exercices en vidéo prescrits en 2 minutes, parmi 600 exercices",
            "Suivi quotidien de la douleur et de l’observance, avec alertes pour le kiné",
            "Téléconsultation de contrôle intégrée, facturable à l’Assurance maladie",
        ),
        market=(
            (1200, "Logiciels pour les professions paramédicales en Europe"),
            (44, "Abonnements logiciels des 95 000 kinés libéraux en France"),
            (3.6, "Objectif à 5 ans : 7 600 praticiens abonnés, 8 % des kinés libéraux"),
        ),
        model=(
            "Abonnement cabinet : 39 € par praticien et par mois, sans engagement",
            "Gratuit pour le patient, sans publicité",
            "Module téléconsultation : 1 € par acte facturé",
        ),
        traction=(
            "MRR (k€)",
            8.2,
            (
                "64 cabinets et 210 praticiens abonnés en 10 mois",
                "3 100 patients actifs, 71 % d’observance à 6 semaines",
                "Churn mensuel des praticiens : 1,8 %",
            ),
        ),
        competitors=(
            ("Logiciels de cabinet", "agenda et facturation, rien pour le suivi du patient"),
            ("Fiches d’exercices papier", "gratuites mais ni données ni relances"),
            ("Applis de fitness", "non prescrites, inadaptées à la rééducation"),
        ),
        edge="pensé par des kinés, une prescription en 2 minutes",
        ask=(
            600,
            "Seed",
            (
                "Atteindre 1 000 praticiens abonnés fin 2028",
                "Obtenir le marquage CE dispositif médical de classe I",
                "Recruter 2 développeurs et 2 commerciaux terrain",
            ),
        ),
    ),
    _startup(
        "Dormia",
        category=HEALTH,
        slug="dormia",
        one_liner=(
            "Un programme de thérapie cognitive et comportementale de l’insomnie en 6 semaines, "
            "sur smartphone."
        ),
        founders=(
            ("Léa Nguyen", "CEO", "Docteure en psychologie, 6 ans au centre du sommeil d’un CHU"),
            ("Mamadou Diallo", "CTO", "Ingénieur INSA Lyon, ex-data scientist dans l’assurance"),
        ),
        description=(
            "Un adulte sur cinq souffre d’insomnie, et la thérapie cognitive et comportementale "
            "recommandée en première intention reste introuvable : moins de 300 praticiens sont "
            "formés en France. Dormia propose ce protocole en 6 semaines sur smartphone, avec un "
            "agenda du sommeil, des séances audio et un suivi par des psychologues. L’application "
            "est distribuée par les mutuelles et les employeurs, qui paient 48 € par utilisateur "
            "activé. Avec 2 mutuelles régionales et 11 entreprises clientes, Dormia compte 5 400 "
            "utilisateurs actifs, dont 62 % terminent le programme, et 260 k€ d’ARR."
        ),
        problem=(
            "Un adulte sur cinq souffre d’insomnie chronique",
            "La TCC-I est le traitement recommandé, mais moins de 300 praticiens y sont formés",
            "Résultat : des somnifères prescrits par défaut, avec risque de dépendance",
        ),
        solution=(
            "Protocole TCC-I validé, en 6 semaines de séances de 10 minutes",
            "Agenda du sommeil et fenêtre de sommeil ajustée chaque semaine",
            "Messagerie avec un psychologue du sommeil pour les cas difficiles",
        ),
        market=(
            (3100, "Prise en charge des troubles du sommeil en Europe"),
            (420, "Prévention santé financée par les mutuelles et employeurs en France"),
            (7.2, "Objectif à 5 ans : 150 000 utilisateurs activés par an"),
        ),
        model=(
            "B2B2C : mutuelles et employeurs paient 48 € par utilisateur activé",
            "Forfait annuel pour les entreprises de plus de 500 salariés",
            "Dossier de prise en charge anticipée (PECAN) en préparation",
        ),
        traction=(
            "Utilisateurs actifs",
            5400,
            (
                "2 mutuelles régionales et 11 entreprises clientes, 260 k€ d’ARR",
                "62 % des utilisateurs terminent les 6 semaines",
                "Temps d’endormissement réduit de 41 % en moyenne",
            ),
        ),
        competitors=(
            ("Applis de méditation", "relaxation générique, aucun protocole clinique"),
            ("Psychologues libéraux", "efficaces mais rares, 60 € la séance"),
            ("Somnifères", "solution rapide, risque de dépendance"),
        ),
        edge="un protocole clinique complet, payé par ceux qui financent déjà la prévention",
        ask=(
            1200,
            "Seed",
            (
                "Lancer l’étude clinique du dossier PECAN",
                "Signer 5 nouvelles mutuelles et 40 entreprises",
                "Ouvrir la Belgique et la Suisse romande",
            ),
        ),
    ),
    _startup(
        "Officina",
        category=HEALTH,
        slug="officina",
        one_liner=(
            "Le copilote des pharmacies pour anticiper les ruptures de médicaments et trouver "
            "une alternative en un clic."
        ),
        founders=(
            ("Inès Haddad", "CEO", "Pharmacienne titulaire à Lyon 3e pendant 7 ans"),
            ("Thomas Girard", "CTO", "Ex-ingénieur logiciel chez un grossiste-répartiteur"),
        ),
        description=(
            "Plus de 3 700 médicaments ont été signalés en tension en France l’an dernier, et "
            "chaque pharmacie perd environ 4 heures par semaine à chercher des stocks ou des "
            "alternatives. Officina se connecte au logiciel de l’officine, prévoit les ruptures "
            "à 30 jours à partir des signaux des grossistes et propose des équivalences validées. "
            "Les pharmacies paient 149 € par mois. Officina compte 180 pharmacies clientes en "
            "Auvergne-Rhône-Alpes, un MRR de 27 k€ et un churn inférieur à 1 % par mois."
        ),
        problem=(
            "Plus de 3 700 médicaments signalés en tension en un an en France",
            "4 heures par semaine perdues par officine à appeler grossistes et confrères",
            "Des patients renvoyés sans traitement vers une autre pharmacie",
        ),
        solution=(
            "Prévision des ruptures à 30 jours à partir des signaux des grossistes",
            "Alternatives et équivalences validées par des pharmaciens, prêtes à dispenser",
            "Bourse d’échange de stocks entre pharmacies voisines",
        ),
        market=(
            (950, "Logiciels et services numériques pour officines en Europe"),
            (120, "Les 20 000 pharmacies françaises"),
            (8.9, "Objectif à 5 ans : 5 000 officines abonnées"),
        ),
        model=(
            "Abonnement de 149 € par mois et par officine",
            "Tarif dégressif pour les groupements au-delà de 50 pharmacies",
            "Données de tension anonymisées pour les laboratoires (en test)",
        ),
        traction=(
            "Pharmacies clientes",
            180,
            (
                "MRR de 27 k€, +14 % par mois en moyenne",
                "Churn inférieur à 1 % par mois",
                "Partenariat signé avec un groupement de 420 officines",
            ),
        ),
        competitors=(
            ("Logiciels d’officine", "gèrent le stock, ne prévoient pas les ruptures"),
            ("Portails des grossistes", "limités à leur propre catalogue"),
            ("Groupes WhatsApp", "gratuits mais chronophages et peu fiables"),
        ),
        edge="indépendant des grossistes, intégré aux 4 principaux logiciels d’officine",
        ask=(
            800,
            "Seed",
            (
                "Couvrir toute la France avec 1 200 pharmacies clientes fin 2028",
                "Intégrer les 2 derniers logiciels d’officine du marché",
                "Industrialiser l’offre de données pour les laboratoires",
            ),
        ),
    ),
    _startup(
        "Aidalo",
        category=HEALTH,
        slug="aidalo",
        one_liner=(
            "Une seule application pour coordonner tous les intervenants autour d’un proche âgé "
            "à domicile."
        ),
        founders=(
            ("Sofia Ferreira", "CEO", "Ex-directrice d’un service d’aide à domicile, 12 ans"),
            ("Karim Bouzid", "CTO", "Développeur full-stack, une première startup revendue"),
            ("Julie Lefèvre", "COO", "Ex-chargée de partenariats dans une caisse de retraite"),
        ),
        description=(
            "Onze millions de Français aident un proche en perte d’autonomie et jonglent entre "
            "infirmiers, aides à domicile, kinés et médecins sans outil commun. Aidalo réunit "
            "dans une application le planning des passages, le cahier de liaison et les alertes. "
            "Le service est gratuit pour les familles et payé par les services d’aide à domicile "
            "et les caisses de retraite. 38 services d’aide à domicile et une caisse de retraite "
            "l’utilisent : 4 900 familles actives et 96 k€ de chiffre d’affaires en 2026."
        ),
        problem=(
            "11 millions d’aidants familiaux en France, dont 60 % encore en activité",
            "Infirmiers, aides à domicile, kinés : chacun son cahier, son planning, son téléphone",
            "Informations perdues, doublons et hospitalisations évitables",
        ),
        solution=(
            "Planning partagé des passages, visible par la famille en temps réel",
            "Cahier de liaison numérique : repas, soins, humeur, chutes",
            "Alertes en cas d’anomalie et synthèse mensuelle pour le médecin traitant",
        ),
        market=(
            (2600, "Coordination des soins et services à domicile en Europe"),
            (310, "Les 7 000 services d’aide et de soins à domicile en France"),
            (4.5, "Objectif à 5 ans : 700 services et 5 caisses de retraite"),
        ),
        model=(
            "Licence services d’aide à domicile : 4 € par bénéficiaire et par mois",
            "Contrats de prévention avec les caisses de retraite",
            "Gratuit et sans publicité pour les familles",
        ),
        traction=(
            "Familles actives",
            4900,
            (
                "38 services d’aide à domicile clients",
                "1 caisse de retraite partenaire, 2 en pilote",
                "96 k€ de chiffre d’affaires en 2026",
            ),
        ),
        competitors=(
            ("Cahiers papier", "illisibles à distance, rien pour la famille"),
            ("Logiciels de télégestion", "pensés pour l’employeur, pas pour coordonner"),
            ("Groupes de messagerie", "aucune trace, aucun professionnel"),
        ),
        edge="le seul outil partagé entre famille, intervenants et financeurs",
        ask=(
            700,
            "Seed",
            (
                "Passer de 38 à 200 services d’aide à domicile clients",
                "Signer 2 contrats régionaux avec des caisses de retraite",
                "Intégrer les agendas des infirmiers libéraux",
            ),
        ),
    ),
    _startup(
        "Ergosit",
        category=HEALTH,
        slug="ergosit",
        one_liner=(
            "La prévention des troubles musculo-squelettiques en usine, par l’analyse vidéo des "
            "postes de travail."
        ),
        founders=(
            ("Antoine Rossi", "CEO", "Ergonome, 8 ans de conseil en santé-sécurité industrielle"),
            ("Amina Traoré", "CTO", "Docteure en vision par ordinateur, ex-chercheuse au CNRS"),
        ),
        description=(
            "Les troubles musculo-squelettiques représentent 87 % des maladies professionnelles "
            "en France et coûtent cher aux industriels en arrêts de travail. Ergosit analyse en "
            "10 minutes, à partir d’une vidéo filmée au smartphone, les postures à risque d’un "
            "poste et propose des aménagements chiffrés. Les industriels s’abonnent par site, avec "
            "l’accompagnement de nos ergonomes. 22 sites industriels sont clients, dont 3 groupes "
            "de plus de 1 000 salariés, pour un ARR de 310 k€."
        ),
        problem=(
            "87 % des maladies professionnelles reconnues sont des TMS",
            "Une étude ergonomique de poste prend 2 jours et coûte 3 000 €",
            "Les industriels agissent trop tard, après les arrêts de travail",
        ),
        solution=(
            "Analyse des postures à partir d’une vidéo smartphone, sans capteur",
            "Score de risque par poste et plan d’aménagement chiffré",
            "Suivi dans le temps, rapports prêts pour le document unique",
        ),
        market=(
            (4800, "Prévention des risques professionnels en Europe"),
            (380, "Ergonomie et prévention des TMS dans l’industrie française"),
            (7.5, "Objectif à 5 ans : 450 sites industriels abonnés"),
        ),
        model=(
            "Abonnement annuel par site : de 9 000 € à 24 000 € selon la taille",
            "Journées d’accompagnement par nos ergonomes, en option",
            "Éligible aux subventions prévention de l’Assurance maladie",
        ),
        traction=(
            "ARR (k€)",
            310,
            (
                "22 sites industriels clients, dont 3 groupes de plus de 1 000 salariés",
                "1 400 postes de travail analysés",
                "100 % des clients de la première année ont renouvelé",
            ),
        ),
        competitors=(
            ("Cabinets d’ergonomie", "expertise reconnue, mais lents et chers"),
            ("Exosquelettes", "traitent le symptôme, pas le poste"),
            ("Capteurs portés", "contraignants, mal acceptés par les opérateurs"),
        ),
        edge="10 minutes et un smartphone au lieu de 2 jours d’étude",
        ask=(
            1500,
            "Seed",
            (
                "Atteindre 120 sites industriels et 1,5 M€ d’ARR",
                "Ouvrir l’Allemagne avec un distributeur partenaire",
                "Étendre l’analyse aux postes logistiques et au BTP",
            ),
        ),
    ),
    _startup(
        "Mamaé",
        category=HEALTH,
        slug="mamae",
        one_liner=(
            "L’accompagnement post-partum par des sages-femmes, en visio et par messagerie, "
            "pendant toute la première année."
        ),
        founders=(
            ("Chloé Dubois", "CEO", "Sage-femme pendant 10 ans dans une maternité lyonnaise"),
            ("Mehdi Cherif", "CTO", "Ex-CTO d’une appli de coaching sportif (400 000 membres)"),
        ),
        description=(
            "Après la sortie de maternité, les jeunes mères se retrouvent souvent seules face aux "
            "difficultés d’allaitement, à la fatigue et à la dépression post-partum, qui touche "
            "une mère sur six. Mamaé propose des consultations vidéo avec des sages-femmes, une "
            "messagerie 7 j/7 et des contenus validés semaine après semaine. L’abonnement coûte "
            "14,90 € par mois et 6 mutuelles partenaires le remboursent. Mamaé compte 8 200 mères "
            "inscrites, dont 1 900 abonnées payantes, et une satisfaction de 4,6/5."
        ),
        problem=(
            "Une mère sur six vit une dépression post-partum, souvent non détectée",
            "Sortie de maternité après 3 jours, puis plus de suivi régulier",
            "Plusieurs semaines d’attente pour voir une sage-femme libérale",
        ),
        solution=(
            "Consultations vidéo avec des sages-femmes diplômées, 7 j/7",
            "Messagerie avec réponse en moins de 2 heures",
            "Dépistage de la dépression post-partum par questionnaire validé",
        ),
        market=(
            (2100, "Santé maternelle et périnatalité numérique en Europe"),
            (260, "680 000 naissances par an en France"),
            (10.7, "Objectif à 5 ans : 60 000 abonnées par an"),
        ),
        model=(
            "Abonnement de 14,90 € par mois, sans engagement",
            "Remboursé par 6 mutuelles partenaires",
            "Offre employeurs pour accompagner le retour au travail",
        ),
        traction=(
            "Abonnées payantes",
            1900,
            (
                "8 200 mères inscrites depuis le lancement",
                "Satisfaction de 4,6/5 sur 1 100 avis",
                "6 mutuelles remboursent l’abonnement",
            ),
        ),
        competitors=(
            ("Suivi libéral classique", "délais longs, rien entre deux rendez-vous"),
            ("Forums et réseaux sociaux", "conseils contradictoires, non vérifiés"),
            ("Applis de suivi de bébé", "centrées sur l’enfant, pas sur la mère"),
        ),
        edge="des sages-femmes disponibles 7 j/7, remboursées par les mutuelles",
        ask=(
            900,
            "Seed",
            (
                "Atteindre 10 000 abonnées payantes",
                "Nouer un partenariat avec 3 maternités publiques",
                "Lancer le parcours dédié aux pères",
            ),
        ),
    ),
    # ---------------------------------------------------------------- Climat & énergie
    _startup(
        "Calorea",
        category=CLIMATE,
        slug="calorea",
        one_liner=(
            "La place de marché des installateurs de pompes à chaleur certifiés RGE, avec les "
            "aides calculées d’avance."
        ),
        founders=(
            ("Hugo Lambert", "CEO", "Ex-chef de projet rénovation dans une agence de l’énergie"),
            ("Nadia Amrani", "CPO", "Ex-product manager d’une marketplace de services"),
            ("Pierre-Yves Le Gall", "COO", "Artisan chauffagiste pendant 15 ans"),
        ),
        description=(
            "Remplacer une chaudière au fioul ou au gaz par une pompe à chaleur reste un parcours "
            "du combattant : devis incomparables, installateurs débordés, aides complexes et "
            "fraudes. Calorea sélectionne des installateurs certifiés RGE, compare trois devis "
            "standardisés et calcule les aides (MaPrimeRénov’, CEE) avant la signature. Calorea "
            "prend une commission de 6 % sur chaque chantier signé. En 18 mois, 410 chantiers ont "
            "été signés pour 5,1 M€ de volume d’affaires, avec 85 installateurs partenaires."
        ),
        problem=(
            "4 millions de logements chauffés au fioul ou au gaz à convertir d’ici 2035",
            "Des devis impossibles à comparer et des aides trop complexes",
            "Installateurs débordés, démarchage agressif et fraudes aux aides",
        ),
        solution=(
            "Visite technique en visio et 3 devis standardisés sous 10 jours",
            "Montant des aides calculé et garanti avant la signature",
            "Installateurs RGE audités, suivi de chantier et avis vérifiés",
        ),
        market=(
            (9000, "Pompes à chaleur résidentielles en Europe"),
            (4200, "Installations de pompes à chaleur en France"),
            (62, "Objectif à 5 ans : 5 000 chantiers par an"),
        ),
        model=(
            "Commission de 6 % par chantier signé (panier moyen : 12 400 €)",
            "Abonnement premium installateurs : 190 € par mois",
            "Contrats d’entretien annuels revendus aux clients",
        ),
        traction=(
            "Chantiers signés par mois",
            38,
            (
                "410 chantiers signés en 18 mois, 5,1 M€ de volume d’affaires",
                "85 installateurs RGE partenaires",
                "Note moyenne des clients : 4,8/5",
            ),
        ),
        competitors=(
            ("Annuaires d’artisans", "ni contrôle qualité ni calcul des aides"),
            ("Réseaux des fabricants", "limités à une seule marque"),
            ("Démarcheurs à domicile", "prix gonflés et fraudes fréquentes"),
        ),
        edge="des aides garanties avant signature et des installateurs audités",
        ask=(
            1800,
            "Seed",
            (
                "Ouvrir 3 nouvelles régions en 2028",
                "Atteindre 150 chantiers signés par mois",
                "Lancer l’offre solaire + pompe à chaleur",
            ),
        ),
    ),
    _startup(
        "Solaris Copro",
        category=CLIMATE,
        slug="solariscopro",
        one_liner=(
            "Des panneaux solaires sur le toit des copropriétés, et l’électricité partagée entre "
            "voisins."
        ),
        founders=(
            ("Sarah Cohen", "CEO", "Ex-ingénieure chez un développeur de centrales solaires"),
            ("Vincent Tran", "CTO", "Ingénieur électricien, spécialiste des réseaux intelligents"),
        ),
        description=(
            "Les copropriétés représentent un tiers des logements, mais presque aucune n’a de "
            "panneaux solaires, faute d’interlocuteur pour monter un projet d’autoconsommation "
            "collective. Solaris Copro finance, installe et exploite la centrale, puis répartit "
            "l’électricité entre les logements à un prix garanti 20 % sous le tarif réglementé. "
            "Ses revenus viennent de la vente d’électricité sur des contrats de 20 ans. 14 "
            "copropriétés sont déjà équipées (1,2 MWc) et 31 ont voté le projet en assemblée "
            "générale."
        ),
        problem=(
            "Les copropriétés représentent un tiers des logements français",
            "Moins de 1 % ont une installation solaire : des projets trop complexes",
            "Une électricité qui a augmenté de plus de 40 % en trois ans",
        ),
        solution=(
            "Étude, financement, installation et exploitation clés en main",
            "Électricité payée 20 % sous le tarif réglementé",
            "Application de suivi de la production pour chaque foyer",
        ),
        market=(
            (7500, "Autoconsommation collective en Europe"),
            (1300, "Toitures de copropriétés exploitables en France"),
            (25, "Objectif à 5 ans : 400 copropriétés équipées"),
        ),
        model=(
            "Vente d’électricité aux copropriétaires, contrats de 20 ans",
            "Revente du surplus sur le réseau",
            "Étude de 2 500 € remboursée à la signature",
        ),
        traction=(
            "Puissance installée (kWc)",
            1200,
            (
                "14 copropriétés équipées, 1 100 logements alimentés",
                "31 projets votés en assemblée générale",
                "120 copropriétés en discussion avec 6 syndics partenaires",
            ),
        ),
        competitors=(
            ("Installateurs solaires", "ne gèrent pas l’autoconsommation collective"),
            ("Fournisseurs d’électricité", "ne s’occupent pas des toitures"),
            ("Projets citoyens", "longs à aboutir, difficiles à reproduire"),
        ),
        edge="zéro investissement et zéro démarche pour la copropriété",
        ask=(
            2500,
            "Seed + dette projet",
            (
                "Financer 60 nouvelles centrales en 2 ans",
                "Signer 15 syndics partenaires",
                "Lever 10 M€ de dette projet auprès de banques régionales",
            ),
        ),
    ),
    _startup(
        "Wattson",
        category=CLIMATE,
        slug="wattson",
        one_liner=(
            "Un boîtier et un logiciel qui réduisent de 18 % la facture d’énergie des PME, "
            "sans travaux."
        ),
        founders=(
            ("Aïcha Mansouri", "CEO", "Ex-responsable énergie d’un groupe de restauration"),
            ("Olivier Petit", "CTO", "Ingénieur électronique, 12 ans dans l’IoT industriel"),
        ),
        description=(
            "Les PME paient leur énergie de plus en plus cher sans savoir où elle part : 30 % de "
            "la consommation d’un bâtiment tertiaire a lieu hors des heures d’occupation. Wattson "
            "pose en une heure des capteurs non intrusifs sur le tableau électrique et pilote "
            "automatiquement chauffage, climatisation et éclairage. Le client paie 220 € par mois "
            "et par site, rentabilisés en moins de 6 mois. 95 sites clients (commerces, bureaux, "
            "écoles privées) génèrent un MRR de 21 k€, avec 18 % d’économies mesurées."
        ),
        problem=(
            "30 % de l’énergie d’un bâtiment tertiaire est consommée hors occupation",
            "Le décret tertiaire impose -40 % de consommation d’ici 2030",
            "Une GTB coûte plus de 50 000 € et vise les grands sites",
        ),
        solution=(
            "Capteurs non intrusifs posés en une heure sur le tableau électrique",
            "Pilotage automatique du chauffage, de la climatisation et de l’éclairage",
            "Rapports prêts pour la déclaration du décret tertiaire",
        ),
        market=(
            (6500, "Gestion énergétique des bâtiments tertiaires en Europe"),
            (820, "PME et petits sites tertiaires en France"),
            (18, "Objectif à 5 ans : 7 000 sites abonnés"),
        ),
        model=(
            "220 € par mois et par site, boîtier inclus",
            "Installation : 490 € par site",
            "Partage des gains pour les réseaux de franchises",
        ),
        traction=(
            "MRR (k€)",
            21,
            (
                "95 sites clients : commerces, bureaux et écoles privées",
                "18 % d’économies d’énergie mesurées en moyenne",
                "Retour sur investissement en moins de 6 mois",
            ),
        ),
        competitors=(
            ("Systèmes de GTB", "chers, réservés aux grands bâtiments"),
            ("Thermostats connectés", "chauffage seulement, sans reporting"),
            ("Fournisseurs d’énergie", "conseils génériques, aucun pilotage"),
        ),
        edge="le pilotage d’une GTB pour le prix d’un abonnement",
        ask=(
            1000,
            "Seed",
            (
                "Atteindre 600 sites clients",
                "Signer 2 réseaux de franchises nationaux",
                "Lancer l’offre pour les bâtiments des petites communes",
            ),
        ),
    ),
    _startup(
        "Terravia",
        category=CLIMATE,
        slug="terravia",
        one_liner=(
            "La livraison du dernier kilomètre en vélo-cargo électrique pour les commerçants et "
            "transporteurs lyonnais."
        ),
        founders=(
            ("Émilie Garnier", "CEO", "Ex-responsable des opérations urbaines d’un transporteur"),
            ("Ibrahim Koné", "COO", "Ancien coursier devenu chef d’exploitation, 7 ans"),
            ("Bastien Fabre", "CTO", "Ex-développeur d’optimisation de tournées"),
        ),
        description=(
            "La zone à faibles émissions de Lyon exclut progressivement les camionnettes diesel, "
            "alors que les livraisons en ville ne cessent d’augmenter. Terravia livre colis et "
            "marchandises en vélo-cargo électrique depuis deux micro-hubs, à Lyon 7e et "
            "Villeurbanne, avec son propre logiciel d’optimisation de tournées. Transporteurs et "
            "commerçants paient au colis ou à la tournée. Avec 24 vélos-cargos, Terravia livre "
            "38 000 colis par mois et a réalisé 720 k€ de chiffre d’affaires en 2026."
        ),
        problem=(
            "La ZFE de Lyon exclut progressivement les utilitaires diesel",
            "Le dernier kilomètre pèse jusqu’à 50 % du coût de livraison",
            "Embouteillages, double file et pollution dans l’hypercentre",
        ),
        solution=(
            "24 vélos-cargos électriques, jusqu’à 250 kg de charge",
            "Deux micro-hubs à Lyon 7e et Villeurbanne, ouverts 6 j/7",
            "Optimisation de tournées et preuve de livraison en temps réel",
        ),
        market=(
            (28000, "Logistique urbaine du dernier kilomètre en Europe"),
            (1400, "Livraisons urbaines des 10 plus grandes métropoles françaises"),
            (22, "Objectif à 5 ans : 4 villes et 250 000 colis par mois"),
        ),
        model=(
            "Prix au colis pour les transporteurs : de 2,40 € à 4,10 €",
            "Tournées dédiées aux commerçants, au forfait mensuel",
            "Stockage tampon dans nos micro-hubs",
        ),
        traction=(
            "Colis livrés par mois",
            38000,
            (
                "720 k€ de chiffre d’affaires en 2026, marge brute de 31 %",
                "3 transporteurs nationaux et 140 commerçants clients",
                "97,6 % de livraisons réussies au premier passage",
            ),
        ),
        competitors=(
            ("Camionnettes", "ZFE, stationnement et coûts en hausse"),
            ("Coursiers indépendants", "petits volumes, pas de colis lourds"),
            ("Casiers automatiques", "le client doit se déplacer"),
        ),
        edge="des tournées 30 % moins chères qu’en camionnette dans l’hypercentre",
        ask=(
            1600,
            "Seed",
            (
                "Ouvrir Grenoble et Saint-Étienne en 2028",
                "Porter la flotte à 80 vélos-cargos",
                "Atteindre l’équilibre d’exploitation à Lyon",
            ),
        ),
    ),
    _startup(
        "Carbonera",
        category=CLIMATE,
        slug="carbonera",
        one_liner="Le bilan carbone des PME en 3 semaines, calculé à partir de la comptabilité.",
        founders=(
            ("Manon Roux", "CEO", "Ex-consultante climat dans un grand cabinet d’audit"),
            ("Rayan Aït-Ali", "CTO", "Ingénieur Centrale Lyon, ex-data engineer en fintech"),
        ),
        description=(
            "Grands clients et banques demandent désormais aux PME de mesurer leurs émissions, "
            "mais un bilan carbone classique coûte 15 000 € et prend 4 mois. Carbonera se "
            "connecte au logiciel comptable, convertit les dépenses en émissions et fait valider "
            "le résultat par un expert. L’abonnement annuel, de 2 400 € à 6 000 €, inclut le plan "
            "de réduction et le reporting clients. 140 PME sont clientes pour un ARR de 390 k€, "
            "dont 40 % apportées par des cabinets comptables partenaires."
        ),
        problem=(
            "Donneurs d’ordre et banques exigent le bilan carbone de leurs fournisseurs",
            "Un bilan classique coûte 15 000 € et prend 4 mois",
            "Résultat : 9 PME sur 10 n’ont jamais mesuré leurs émissions",
        ),
        solution=(
            "Connexion au logiciel comptable et calcul automatique des émissions",
            "Validation par un expert climat certifié",
            "Plan de réduction chiffré, rapports prêts pour clients et banques",
        ),
        market=(
            (5200, "Logiciels de comptabilité carbone en Europe"),
            (640, "150 000 PME françaises de plus de 10 salariés"),
            (16, "Objectif à 5 ans : 4 000 PME abonnées"),
        ),
        model=(
            "Abonnement annuel de 2 400 € à 6 000 € selon la taille",
            "Cabinets comptables : 20 % de commission la première année",
            "Modules en option : analyse de cycle de vie, trajectoire SBTi",
        ),
        traction=(
            "ARR (k€)",
            390,
            (
                "140 PME clientes, dont 60 industriels",
                "40 % des ventes via 25 cabinets comptables partenaires",
                "Bilan livré en 3 semaines en moyenne",
            ),
        ),
        competitors=(
            ("Cabinets de conseil", "précis mais chers et lents"),
            ("Plateformes grands groupes", "surdimensionnées pour une PME"),
            ("Calculateurs gratuits", "résultats non vérifiés"),
        ),
        edge="le prix d’un logiciel avec la validation d’un expert",
        ask=(
            1400,
            "Seed",
            (
                "Atteindre 600 PME clientes et 1,8 M€ d’ARR",
                "Signer 100 cabinets comptables partenaires",
                "Faire reconnaître la méthode par l’ADEME",
            ),
        ),
    ),
    _startup(
        "Rebâtir",
        category=CLIMATE,
        slug="rebatir",
        one_liner=(
            "Les matériaux des chantiers de démolition récupérés et revendus aux artisans, deux "
            "fois moins cher que le neuf."
        ),
        founders=(
            ("Nicolas Vasseur", "CEO", "Ex-conducteur de travaux dans une major du BTP"),
            ("Yasmine Belkacem", "COO", "Ingénieure matériaux, ex-responsable RSE d’un promoteur"),
        ),
        description=(
            "Le BTP produit 46 millions de tonnes de déchets par an en France, dont beaucoup de "
            "matériaux encore utilisables : portes, radiateurs, carrelage, poutres. Rebâtir "
            "organise la dépose soignée sur les chantiers de démolition, stocke les matériaux "
            "dans un entrepôt de 2 000 m² à Vénissieux et les revend en ligne aux artisans et aux "
            "particuliers. La dépose est facturée aux maîtres d’ouvrage et la revente dégage une "
            "marge de 45 %. En 2026, 1 850 tonnes ont été réemployées pour 540 k€ de chiffre "
            "d’affaires."
        ),
        problem=(
            "Le BTP produit 46 millions de tonnes de déchets par an en France",
            "Portes, radiateurs et poutres partent à la benne en parfait état",
            "La loi impose désormais des objectifs de réemploi aux maîtres d’ouvrage",
        ),
        solution=(
            "Diagnostic ressources et dépose soignée sur les chantiers",
            "Entrepôt de 2 000 m² à Vénissieux, matériaux contrôlés et photographiés",
            "Boutique en ligne, livraison sur chantier",
        ),
        market=(
            (12000, "Matériaux de construction de réemploi en Europe"),
            (900, "Déchets réemployables du bâtiment en France"),
            (12, "Objectif à 5 ans : 3 entrepôts et 15 000 tonnes par an"),
        ),
        model=(
            "Dépose facturée au maître d’ouvrage",
            "Marge de 45 % sur la revente des matériaux",
            "Attestations de réemploi pour le reporting des promoteurs",
        ),
        traction=(
            "Tonnes réemployées par mois",
            210,
            (
                "1 850 tonnes réemployées en 2026",
                "540 k€ de chiffre d’affaires, +160 % sur un an",
                "12 promoteurs et bailleurs sociaux clients",
            ),
        ),
        competitors=(
            ("Bennes et centres de tri", "matériaux broyés ou enfouis"),
            ("Petites annonces", "ni contrôle ni logistique"),
            ("Négoces de matériaux neufs", "deux fois plus chers"),
        ),
        edge="une filière complète, de la dépose à la livraison sur chantier",
        ask=(
            1100,
            "Seed",
            (
                "Ouvrir un deuxième entrepôt à Grenoble",
                "Atteindre 5 000 tonnes réemployées par an",
                "Lancer l’offre rénovation pour les bailleurs sociaux",
            ),
        ),
    ),
    # ---------------------------------------------------------------- Fintech & services
    _startup(
        "Coopéa",
        category=FINTECH,
        slug="coopea",
        one_liner=(
            "Le compte pro coopératif des artisans : facturation, trésorerie et avances "
            "mutualisées dans une seule application."
        ),
        founders=(
            ("Guillaume Bertrand", "CEO", "Ex-directeur d’agence d’une banque mutualiste, 11 ans"),
            ("Leïla Saïdi", "CTO", "Ex-ingénieure paiements dans une néobanque européenne"),
            ("Ousmane Sy", "CCO", "Plombier-chauffagiste, élu d’une chambre de métiers"),
        ),
        description=(
            "Les 1,3 million d’artisans français jonglent entre une banque peu disponible, un "
            "logiciel de devis et des retards de paiement qui fragilisent leur trésorerie. Coopéa "
            "réunit dans une application un compte professionnel, les devis et factures conformes "
            "à la facturation électronique, et des avances de trésorerie financées par un fonds "
            "mutualisé. Chaque artisan devient sociétaire pour 50 € et paie 19 € par mois. 2 300 "
            "comptes ont été ouverts, dont 1 650 actifs, pour un MRR de 38 k€."
        ),
        problem=(
            "1,3 million d’artisans en France, la moitié travaillent seuls",
            "52 jours de délai de paiement moyen : la trésorerie étranglée",
            "Des banques peu disponibles et des outils de gestion éparpillés",
        ),
        solution=(
            "Compte pro avec carte, IBAN français et rapprochement automatique",
            "Devis et factures conformes à la facturation électronique",
            "Avances sur factures financées par un fonds mutualisé",
        ),
        market=(
            (5800, "Services bancaires et de gestion pour les TPE en Europe"),
            (1100, "Artisans et indépendants du bâtiment et des services en France"),
            (14, "Objectif à 5 ans : 60 000 sociétaires"),
        ),
        model=(
            "Abonnement de 19 € par mois, part sociale de 50 €",
            "Commission d’interchange sur les paiements par carte",
            "Frais de 1,2 % sur les avances de trésorerie",
        ),
        traction=(
            "Comptes actifs",
            1650,
            (
                "2 300 comptes ouverts, 72 % actifs chaque mois",
                "MRR de 38 k€",
                "1,4 M€ d’avances accordées, 0,6 % d’impayés",
            ),
        ),
        competitors=(
            ("Banques traditionnelles", "peu disponibles, frais élevés"),
            ("Néobanques pour indépendants", "rien pour la trésorerie"),
            ("Logiciels de devis", "ni compte ni financement"),
        ),
        edge="une coopérative détenue par ses artisans, trésorerie intégrée",
        ask=(
            2000,
            "Seed",
            (
                "Obtenir l’agrément d’établissement de paiement",
                "Atteindre 10 000 sociétaires",
                "Signer 5 chambres de métiers partenaires",
            ),
        ),
    ),
    _startup(
        "Relanceo",
        category=FINTECH,
        slug="relanceo",
        one_liner=(
            "La relance automatique des factures impayées pour les TPE, avec un recouvrement "
            "amiable qui préserve la relation client."
        ),
        founders=(
            ("Pauline Chevalier", "CEO", "Ex-responsable crédit client d’une ETI industrielle"),
            ("Samuel Okafor", "CTO", "Ex-lead technique dans une fintech de paiement"),
        ),
        description=(
            "Un quart des faillites de TPE en France est lié à des retards de paiement, et les "
            "dirigeants n’ont ni le temps ni l’envie de relancer leurs clients. Relanceo se "
            "connecte au logiciel de facturation, envoie des relances personnalisées par e-mail, "
            "SMS et courrier, et propose des échéanciers en ligne. Si besoin, des chargés de "
            "recouvrement prennent le relais à l’amiable, rémunérés au succès. 620 TPE sont "
            "clientes, 4,8 M€ de factures ont été recouvrées et le MRR atteint 29 k€."
        ),
        problem=(
            "25 % des défaillances de TPE sont liées à des retards de paiement",
            "5 heures par mois passées à relancer les clients",
            "Le recouvrement judiciaire est long, coûteux et abîme la relation",
        ),
        solution=(
            "Scénarios de relance automatiques par e-mail, SMS et courrier",
            "Paiement en ligne et échéanciers proposés au client",
            "Recouvrement amiable par nos chargés, rémunérés au succès",
        ),
        market=(
            (3900, "Gestion du poste client et recouvrement en Europe"),
            (520, "TPE et PME françaises qui facturent d’autres entreprises"),
            (9.5, "Objectif à 5 ans : 20 000 TPE abonnées"),
        ),
        model=(
            "Abonnement de 39 € à 99 € par mois",
            "8 % des sommes recouvrées par nos chargés",
            "Marque blanche pour les cabinets comptables",
        ),
        traction=(
            "MRR (k€)",
            29,
            (
                "620 TPE clientes",
                "4,8 M€ de factures recouvrées",
                "Délai moyen de paiement réduit de 17 jours",
            ),
        ),
        competitors=(
            ("Sociétés de recouvrement", "trop tardives, commissions élevées"),
            ("Logiciels de facturation", "relances basiques, sans humain"),
            ("Affacturage", "cher, réservé aux plus grandes"),
        ),
        edge="la relance automatisée et l’humain au succès, dans un seul outil",
        ask=(
            700,
            "Seed",
            (
                "Atteindre 3 000 TPE clientes",
                "Lancer la marque blanche avec 30 cabinets comptables",
                "Automatiser la mise en demeure en ligne",
            ),
        ),
    ),
    _startup(
        "Locatys",
        category=FINTECH,
        slug="locatys",
        one_liner=(
            "La gestion locative en ligne des petits propriétaires, avec la garantie loyers "
            "impayés incluse."
        ),
        founders=(
            ("Arnaud Faure", "CEO", "Ex-directeur d’une agence immobilière à Lyon 6e"),
            ("Mathilde Roche", "CPO", "Ex-product manager dans une proptech parisienne"),
            ("Tarek Hamdi", "CTO", "Ingénieur logiciel, 9 ans dans l’assurance en ligne"),
        ),
        description=(
            "Les propriétaires qui louent un ou deux logements paient 7 à 8 % de leurs loyers à "
            "une agence, ou gèrent seuls baux, quittances et charges au risque d’erreurs. Locatys "
            "automatise toute la gestion locative : vérification des dossiers, bail, quittances, "
            "révision des loyers et régularisation des charges. L’offre tout compris coûte 3,9 % "
            "des loyers et inclut une garantie loyers impayés assurée par un partenaire. Locatys "
            "gère 1 700 logements pour 1 050 propriétaires, avec un MRR de 34 k€."
        ),
        problem=(
            "3,8 millions de particuliers louent un logement en France",
            "Les agences prélèvent 7 à 8 % des loyers pour une gestion souvent lente",
            "Seuls, les propriétaires multiplient les erreurs sur le bail et les charges",
        ),
        solution=(
            "Vérification des dossiers locataires et détection des faux documents",
            "Bail, quittances et révision des loyers automatiques",
            "Garantie loyers impayés incluse dans l’offre tout compris",
        ),
        market=(
            (9500, "Gestion locative résidentielle en Europe"),
            (2300, "Gestion locative des particuliers bailleurs en France"),
            (30, "Objectif à 5 ans : 40 000 logements gérés"),
        ),
        model=(
            "Offre tout compris : 3,9 % des loyers encaissés",
            "Offre autonome : 9,90 € par mois et par logement",
            "Commissions sur les assurances et services partenaires",
        ),
        traction=(
            "Logements gérés",
            1700,
            (
                "1 050 propriétaires clients",
                "MRR de 34 k€",
                "0,8 % d’impayés, contre 2,5 % en moyenne",
            ),
        ),
        competitors=(
            ("Agences immobilières", "7 à 8 % des loyers, service inégal"),
            ("Logiciels en autonomie", "sans garantie, tout reste à faire"),
            ("Gestion en direct", "gratuite mais risquée"),
        ),
        edge="la tranquillité d’une agence pour deux fois moins cher",
        ask=(
            1300,
            "Seed",
            (
                "Atteindre 8 000 logements gérés",
                "Ouvrir Bordeaux et Nantes",
                "Lancer l’offre pour les petites copropriétés",
            ),
        ),
    ),
    _startup(
        "Assopaie",
        category=FINTECH,
        slug="assopaie",
        one_liner=(
            "La paie, les contrats et le suivi des bénévoles des associations, sans tableur ni "
            "casse-tête."
        ),
        founders=(
            ("Florian Bernard", "CEO", "Trésorier bénévole d’un club de handball de 600 licenciés"),
            ("Zoé Lemaire", "CTO", "Ex-développeuse chez un éditeur de logiciels de paie"),
        ),
        description=(
            "Les 160 000 associations employeuses en France gèrent la paie de leurs entraîneurs "
            "et animateurs avec des bénévoles souvent dépassés par les conventions collectives. "
            "Assopaie produit les bulletins conformes aux conventions du sport et de l’animation, "
            "la DSN et les contrats, et suit les heures des bénévoles pour le rapport annuel. Les "
            "associations paient 15 € par salarié et par mois. 310 associations sont clientes, "
            "surtout des clubs sportifs, pour un MRR de 12 k€."
        ),
        problem=(
            "160 000 associations employeuses, souvent gérées par des bénévoles",
            "Conventions collectives complexes : erreurs de paie et redressements",
            "Un expert-comptable facture jusqu’à 40 € par bulletin",
        ),
        solution=(
            "Bulletins et DSN conformes aux conventions du sport et de l’animation",
            "Contrats, attestations et déclarations générés automatiquement",
            "Suivi des heures de bénévolat pour le rapport annuel",
        ),
        market=(
            (1500, "Paie et RH des associations en Europe"),
            (210, "160 000 associations employeuses en France"),
            (3.8, "Objectif à 5 ans : 4 000 associations clientes"),
        ),
        model=(
            "15 € par salarié et par mois, sans engagement",
            "Tarif fédération pour tous les clubs affiliés",
            "Formation en ligne des trésoriers bénévoles",
        ),
        traction=(
            "Associations clientes",
            310,
            (
                "MRR de 12 k€",
                "2 ligues sportives régionales partenaires",
                "2 100 bulletins de paie édités chaque mois",
            ),
        ),
        competitors=(
            ("Experts-comptables", "chers pour de petits volumes"),
            ("Logiciels de paie", "trop complexes pour des bénévoles"),
            ("Chèque emploi associatif", "limité et peu pratique"),
        ),
        edge="conçu pour les trésoriers bénévoles, conventions du secteur intégrées",
        ask=(
            500,
            "Pré-seed",
            (
                "Atteindre 1 500 associations clientes",
                "Signer 3 fédérations sportives nationales",
                "Ajouter la gestion des adhésions et des cotisations",
            ),
        ),
    ),
    _startup(
        "Juristo",
        category=FINTECH,
        slug="juristo",
        one_liner=(
            "Le service juridique à la demande des TPE : contrats, CGV et avocats au téléphone, "
            "pour un abonnement mensuel."
        ),
        founders=(
            ("Céline Morel", "CEO", "Avocate en droit des affaires, 8 ans au barreau de Lyon"),
            ("Dimitri Popescu", "CTO", "Ex-chercheur en traitement automatique du langage"),
        ),
        description=(
            "Neuf TPE sur dix n’ont pas de conseil juridique régulier : contrats copiés sur "
            "internet, CGV obsolètes, litiges découverts trop tard. Juristo génère les documents "
            "courants à partir d’un questionnaire, les fait relire par des avocats partenaires et "
            "donne accès à un avocat par téléphone sous 48 heures. L’abonnement coûte 59 € par "
            "mois. Juristo compte 870 entreprises abonnées et 45 avocats partenaires, pour un "
            "MRR de 51 k€."
        ),
        problem=(
            "9 TPE sur 10 n’ont aucun conseil juridique régulier",
            "Contrats copiés sur internet, CGV obsolètes, mentions oubliées",
            "250 € de l’heure : on appelle l’avocat quand le litige est là",
        ),
        solution=(
            "Plus de 150 modèles générés à partir d’un questionnaire",
            "Relecture par un avocat partenaire sous 48 heures",
            "Consultations téléphoniques illimitées pour les questions courantes",
        ),
        market=(
            (8000, "Services juridiques aux petites entreprises en Europe"),
            (1200, "Conseil juridique des TPE et PME en France"),
            (18, "Objectif à 5 ans : 25 000 entreprises abonnées"),
        ),
        model=(
            "59 € par mois, consultations courantes incluses",
            "Dossiers complexes au forfait, par nos avocats partenaires",
            "15 % de commission sur les dossiers transmis",
        ),
        traction=(
            "Entreprises abonnées",
            870,
            (
                "MRR de 51 k€",
                "45 avocats partenaires dans 9 barreaux",
                "NPS de 64",
            ),
        ),
        competitors=(
            ("Cabinets d’avocats", "chers, peu accessibles aux TPE"),
            ("Sites de modèles gratuits", "génériques, sans relecture"),
            ("Legaltechs de création", "s’arrêtent après les statuts"),
        ),
        edge="des documents automatisés, toujours relus par un avocat",
        ask=(
            1000,
            "Seed",
            (
                "Atteindre 4 000 entreprises abonnées",
                "Étendre le réseau à 150 avocats partenaires",
                "Lancer l’offre pour les professions libérales",
            ),
        ),
    ),
    _startup(
        "Quartier Capital",
        category=FINTECH,
        slug="quartiercapital",
        one_liner=(
            "Le financement participatif des commerces de proximité par les habitants du quartier."
        ),
        founders=(
            ("Jérôme Caron", "CEO", "Ex-chargé d’affaires professionnels en banque régionale"),
            ("Anaïs Perrin", "COO", "Ex-responsable d’une plateforme de financement participatif"),
            ("Malik Benamar", "CTO", "Développeur, ex-fondateur d’une agence web"),
        ),
        description=(
            "Les commerces de proximité peinent à obtenir un prêt pour une reprise, des travaux "
            "ou un équipement, alors que leurs clients sont prêts à les soutenir. Quartier "
            "Capital permet aux habitants de prêter de 50 € à 5 000 € à un commerce de leur "
            "quartier, remboursés avec intérêts. La plateforme prend 5 % des fonds levés et 1 % "
            "par an de frais de gestion. 86 commerces ont été financés, pour 3,4 M€ collectés "
            "auprès de 9 200 prêteurs et un taux de défaut de 1,2 %."
        ),
        problem=(
            "Un prêt sur trois demandé par un commerce de proximité est refusé",
            "Des besoins de 20 000 € à 100 000 € qui intéressent peu les banques",
            "Des clients prêts à soutenir leurs commerces, sans moyen d’investir",
        ),
        solution=(
            "Prêts participatifs de 50 € à 5 000 € par habitant, avec intérêts",
            "Analyse financière et accompagnement du commerçant avant la collecte",
            "Contreparties en boutique et communauté de clients fidèles",
        ),
        market=(
            (4300, "Prêt participatif aux entreprises en Europe"),
            (650, "Besoins de financement des commerces de proximité en France"),
            (40, "Objectif à 5 ans : 40 M€ collectés par an"),
        ),
        model=(
            "5 % des fonds levés, payés par le commerçant",
            "Frais de gestion de 1 % par an sur l’encours",
            "Abondement des collectes par les collectivités partenaires",
        ),
        traction=(
            "Fonds collectés par mois (k€)",
            310,
            (
                "86 commerces financés, 3,4 M€ collectés",
                "9 200 prêteurs, dont 38 % ont prêté plusieurs fois",
                "Taux de défaut de 1,2 %",
            ),
        ),
        competitors=(
            ("Banques", "refusent les petits dossiers"),
            ("Plateformes nationales", "ciblent des PME plus grandes"),
            ("Cagnottes en ligne", "dons seulement, aucun remboursement"),
        ),
        edge="un financement local où les clients deviennent prêteurs et ambassadeurs",
        ask=(
            1200,
            "Seed",
            (
                "Atteindre 10 M€ collectés par an",
                "Signer 5 métropoles et communautés de communes",
                "Ouvrir le prêt aux artisans",
            ),
        ),
    ),
    # ---------------------------------------------------------------- Commerce & food
    _startup(
        "Restolab",
        category=FOOD,
        slug="restolab",
        one_liner=(
            "Le logiciel anti-gaspillage des restaurants : pesée des déchets et prévision de "
            "production au couvert près."
        ),
        founders=(
            ("Lucas Moreau", "CEO", "Ex-chef de cuisine, 12 ans en restauration collective"),
            ("Jade Wang", "CTO", "Ingénieure en apprentissage automatique, ex-grande distribution"),
        ),
        description=(
            "Un restaurant jette en moyenne 14 % des denrées qu’il achète, soit plusieurs milliers "
            "d’euros par an et par établissement. Restolab combine une balance connectée en "
            "cuisine et un logiciel qui prévoit la fréquentation et les quantités à produire, "
            "plat par plat. Les restaurants paient 229 € par mois et réduisent leur gaspillage de "
            "31 % en moyenne dès le troisième mois. Restolab compte 180 restaurants clients, dont "
            "4 groupes de restauration, pour un MRR de 42 k€."
        ),
        problem=(
            "14 % des denrées achetées par un restaurant finissent à la poubelle",
            "Jusqu’à 12 000 € perdus par an et par établissement",
            "La loi impose le tri des biodéchets et le suivi du gaspillage",
        ),
        solution=(
            "Balance connectée : chaque déchet pesé et classé en 3 secondes",
            "Prévision de la fréquentation et des quantités, plat par plat",
            "Tableau de bord des économies et rapport réglementaire automatique",
        ),
        market=(
            (4600, "Logiciels de gestion pour la restauration en Europe"),
            (520, "175 000 restaurants commerciaux et collectifs en France"),
            (14, "Objectif à 5 ans : 5 000 restaurants abonnés"),
        ),
        model=(
            "229 € par mois et par établissement, balance incluse",
            "Tarif groupe dégressif au-delà de 20 établissements",
            "Module de prévision seul pour les chaînes : 99 € par mois",
        ),
        traction=(
            "MRR (k€)",
            42,
            (
                "180 restaurants clients, dont 4 groupes de restauration",
                "-31 % de gaspillage en moyenne dès le troisième mois",
                "Churn mensuel : 1,2 %",
            ),
        ),
        competitors=(
            ("Logiciels de caisse", "connaissent les ventes, pas les pertes"),
            ("Applis d’invendus", "écoulent le surplus sans l’éviter"),
            ("Audits ponctuels", "des effets qui s’effacent en quelques mois"),
        ),
        edge="mesurer chaque déchet et produire juste, tous les jours",
        ask=(
            1500,
            "Seed",
            (
                "Atteindre 1 000 restaurants clients",
                "Ouvrir la Belgique et la Suisse romande",
                "Lancer l’offre pour la restauration scolaire",
            ),
        ),
    ),
    _startup(
        "Cyclik",
        category=FOOD,
        slug="cyclik",
        one_liner=(
            "La place de marché des vélos d’occasion reconditionnés, contrôlés en atelier et "
            "garantis un an."
        ),
        founders=(
            ("Hanna Weber", "CEO", "Ex-category manager dans une enseigne de sport"),
            ("Adrien Marchand", "COO", "Mécanicien cycle, ex-gérant d’un atelier associatif"),
            ("Kevin Nguyen-Van", "CTO", "Ex-développeur d’une marketplace de seconde main"),
        ),
        description=(
            "Un vélo électrique neuf coûte plus de 2 000 €, et les petites annonces d’occasion "
            "inquiètent : vols, pannes cachées, aucune garantie. Cyclik met en vente les vélos de "
            "particuliers et de loueurs, les contrôle en 40 points dans ses ateliers de Lyon et "
            "Villeurbanne et les revend avec une garantie d’un an. Cyclik prend une commission de "
            "18 % et facture la remise en état. 6 800 vélos ont été vendus depuis le lancement, "
            "et le volume d’affaires atteint 410 k€ par mois."
        ),
        problem=(
            "Un vélo électrique neuf coûte plus de 2 000 €",
            "Petites annonces : vélos volés, pannes cachées, aucune garantie",
            "Des millions de vélos dorment dans les caves",
        ),
        solution=(
            "Contrôle en 40 points et remise en état dans nos ateliers",
            "Garantie d’un an et vérification anti-vol du numéro de cadre",
            "Livraison à domicile ou retrait en atelier, reprise de l’ancien vélo",
        ),
        market=(
            (11000, "Vélos d’occasion en Europe"),
            (1700, "Marché français du vélo d’occasion"),
            (56, "Objectif à 5 ans : 60 000 vélos vendus par an"),
        ),
        model=(
            "Commission de 18 % sur chaque vente",
            "Remise en état facturée au vendeur (89 € en moyenne)",
            "Extensions de garantie et accessoires",
        ),
        traction=(
            "Volume d’affaires mensuel (k€)",
            410,
            (
                "6 800 vélos vendus depuis le lancement",
                "Panier moyen : 940 €",
                "Note de 4,7/5 sur 2 300 avis",
            ),
        ),
        competitors=(
            ("Petites annonces", "ni garantie ni contrôle"),
            ("Vélocistes", "peu d’occasion, stock limité"),
            ("Reconditionneurs nationaux", "pas d’atelier local pour le SAV"),
        ),
        edge="l’occasion garantie, avec un atelier de quartier pour le SAV",
        ask=(
            1700,
            "Seed",
            (
                "Ouvrir des ateliers à Grenoble, Annecy et Clermont-Ferrand",
                "Atteindre 20 000 vélos vendus par an",
                "Racheter les flottes de vélos d’entreprise",
            ),
        ),
    ),
    _startup(
        "Halles Direct",
        category=FOOD,
        slug="hallesdirect",
        one_liner=(
            "Les produits des producteurs locaux pour les restaurants, commandés en ligne et "
            "livrés en 24 heures."
        ),
        founders=(
            ("Maëlle Guérin", "CEO", "Fille d’éleveurs du Beaujolais, ex-acheteuse en GMS"),
            ("Benoît Leroy", "COO", "Ex-responsable logistique d’un grossiste alimentaire"),
            ("Salomé Vidal", "CTO", "Ex-lead produit d’une application de livraison"),
        ),
        description=(
            "Les restaurateurs veulent cuisiner local, mais commander auprès de 15 producteurs, "
            "chacun avec ses jours de livraison, est ingérable. Halles Direct regroupe 95 "
            "producteurs d’Auvergne-Rhône-Alpes sur une seule plateforme, avec une livraison "
            "mutualisée en 24 heures et une facture unique. Halles Direct prend une marge de 22 % "
            "et les producteurs fixent leurs prix. 240 restaurants commandent régulièrement, pour "
            "2,3 M€ de volume d’affaires en 2026."
        ),
        problem=(
            "70 % des restaurateurs veulent plus de produits locaux à leur carte",
            "15 producteurs, c’est 15 appels, 15 livraisons et 15 factures",
            "Les producteurs passent 2 jours par semaine à livrer",
        ),
        solution=(
            "Une plateforme de commande pour 95 producteurs de la région",
            "Livraison mutualisée en 24 heures, en véhicules électriques",
            "Facture unique, traçabilité et fiches producteurs pour la carte",
        ),
        market=(
            (70000, "Approvisionnement alimentaire de la restauration en Europe"),
            (3200, "Circuits courts pour la restauration en France"),
            (25, "Objectif à 5 ans : 4 métropoles et 25 M€ de volume d’affaires"),
        ),
        model=(
            "Marge de 22 % sur les ventes aux restaurants",
            "Premium restaurants : livraison à l’aube et le dimanche",
            "Services logistiques vendus aux producteurs",
        ),
        traction=(
            "Volume d’affaires mensuel (k€)",
            260,
            (
                "240 restaurants clients réguliers",
                "95 producteurs d’Auvergne-Rhône-Alpes",
                "2,3 M€ de volume d’affaires en 2026",
            ),
        ),
        competitors=(
            ("Grossistes alimentaires", "peu de local, pas de traçabilité"),
            ("Marchés de gros", "il faut y être à 4 heures du matin"),
            ("Vente directe", "logistique épuisante pour les producteurs"),
        ),
        edge="le local aussi simple à commander qu’un grossiste",
        ask=(
            2200,
            "Série A",
            (
                "Ouvrir Grenoble et Clermont-Ferrand",
                "Atteindre 8 M€ de volume d’affaires annuel",
                "Construire un entrepôt frigorifique mutualisé",
            ),
        ),
    ),
    _startup(
        "Consigno",
        category=FOOD,
        slug="consigno",
        one_liner=(
            "Des bocaux consignés pour les épiceries, traiteurs et restaurants, collectés et "
            "lavés par nos soins."
        ),
        founders=(
            ("Justine Colin", "CEO", "Ex-chargée de mission économie circulaire d’une métropole"),
            ("Romain Gauthier", "COO", "Ingénieur agroalimentaire, ex-directeur de laverie"),
        ),
        description=(
            "Les emballages jetables de la vente à emporter représentent plus de 200 000 tonnes "
            "de déchets par an en France, et la loi impose progressivement le réemploi. Consigno "
            "fournit aux commerces des bocaux et boîtes en verre consignés, les collecte en "
            "boutique ou en points de retour et les lave dans son centre de Vaulx-en-Velin. Les "
            "commerçants paient chaque contenant utilisé, moins cher qu’un emballage jetable de "
            "qualité. 130 points de vente sont clients et 410 000 contenants ont été réemployés, "
            "avec 92 % de retours."
        ),
        problem=(
            "Plus de 200 000 tonnes d’emballages de vente à emporter jetés par an",
            "La loi AGEC impose progressivement le réemploi des emballages",
            "Les commerçants n’ont ni la place ni le temps de laver",
        ),
        solution=(
            "Bocaux et boîtes en verre consignés, livrés propres",
            "Collecte en boutique et 40 points de retour dans la métropole",
            "Centre de lavage à Vaulx-en-Velin : 30 000 contenants par jour",
        ),
        market=(
            (3800, "Emballages réemployables de la vente à emporter en Europe"),
            (480, "Emballages de la vente à emporter en France"),
            (9, "Objectif à 5 ans : 5 métropoles couvertes"),
        ),
        model=(
            "De 0,12 € à 0,28 € par contenant utilisé",
            "Consigne de 1 € à 2 € remboursée au client au retour",
            "Lavage à façon pour d’autres réseaux de consigne",
        ),
        traction=(
            "Contenants réemployés par mois",
            62000,
            (
                "130 points de vente clients",
                "410 000 contenants réemployés depuis le lancement",
                "Taux de retour : 92 %",
            ),
        ),
        competitors=(
            ("Emballages jetables", "déchets et coûts en hausse"),
            ("Contenants des clients", "peu pratique, hygiène incertaine"),
            ("Réseaux nationaux", "sans lavage local, transport coûteux"),
        ),
        edge="un service local complet : livraison, collecte et lavage",
        ask=(
            900,
            "Seed",
            (
                "Doubler la capacité du centre de lavage",
                "Atteindre 400 points de vente",
                "Ouvrir Grenoble avec la métropole",
            ),
        ),
    ),
    _startup(
        "Boutik Live",
        category=FOOD,
        slug="boutiklive",
        one_liner=(
            "Le live shopping clé en main des commerçants indépendants, diffusé sur leur site et "
            "leurs réseaux sociaux."
        ),
        founders=(
            ("Nathalie Kowalski", "CEO", "Ex-directrice marketing d’une enseigne de mode"),
            ("Cyril Fontaine", "CTO", "Ingénieur vidéo, ex-plateforme de streaming"),
            ("Laura Da Silva", "CMO", "Créatrice de contenu, 120 000 abonnés"),
        ),
        description=(
            "Les commerçants indépendants voient leur fréquentation baisser et n’ont pas les "
            "moyens du e-commerce des grandes enseignes. Boutik Live leur permet d’animer depuis "
            "leur boutique des ventes en direct diffusées sur leur site et leurs réseaux, avec "
            "paiement et réservation intégrés. Les commerçants paient 79 € par mois et 3 % des "
            "ventes faites en live. 350 commerçants sont abonnés, réunissent 42 000 spectateurs "
            "par mois et vendent 180 k€ par mois en live."
        ),
        problem=(
            "La fréquentation des centres-villes a baissé de 10 % en cinq ans",
            "Les indépendants n’ont pas les outils e-commerce des grandes enseignes",
            "Les réseaux sociaux font de l’audience, mais peu de ventes",
        ),
        solution=(
            "Ventes en direct depuis un smartphone, sur le site et les réseaux",
            "Panier, paiement et réservation intégrés au live",
            "Replays vendeurs et statistiques par produit",
        ),
        market=(
            (5600, "Live shopping en Europe"),
            (700, "Commerce indépendant de mode, déco et beauté en France"),
            (7.6, "Objectif à 5 ans : 6 000 commerçants abonnés"),
        ),
        model=(
            "Abonnement de 79 € par mois",
            "3 % des ventes réalisées en live",
            "Offre pour les unions commerciales de centre-ville",
        ),
        traction=(
            "Spectateurs par mois",
            42000,
            (
                "350 commerçants abonnés",
                "180 k€ de ventes en live par mois",
                "6,5 % des spectateurs achètent",
            ),
        ),
        competitors=(
            ("Lives sur les réseaux", "aucun outil de vente intégré"),
            ("Plateformes grandes marques", "trop chères pour un indépendant"),
            ("Sites e-commerce", "aucune animation, faible conversion"),
        ),
        edge="le live shopping pensé pour la boutique de quartier",
        ask=(
            800,
            "Seed",
            (
                "Atteindre 1 500 commerçants abonnés",
                "Signer 10 unions commerciales de centre-ville",
                "Lancer les lives multi-boutiques par quartier",
            ),
        ),
    ),
    _startup(
        "Pausa",
        category=FOOD,
        slug="pausa",
        one_liner=(
            "Des frigos connectés en entreprise, remplis chaque matin de plats frais de "
            "traiteurs lyonnais."
        ),
        founders=(
            ("Clara Schmitt", "CEO", "Ex-responsable des services généraux d’un grand campus"),
            ("Quentin Barbier", "COO", "Ancien traiteur, 10 ans en restauration événementielle"),
            ("Élodie Masson", "CTO", "Ingénieure IoT, ex-serrures connectées"),
        ),
        description=(
            "Sept entreprises sur dix n’ont pas de restaurant d’entreprise, et leurs salariés "
            "déjeunent d’un sandwich ou d’une livraison coûteuse. Pausa installe gratuitement des "
            "frigos connectés, remplis chaque matin de plats frais de 12 traiteurs lyonnais, "
            "payés par carte ou titre-restaurant. L’employeur peut subventionner une partie du "
            "repas, et Pausa prend une marge sur chaque plat. 120 frigos sont installés dans 85 "
            "entreprises et vendent 9 000 repas par mois, avec moins de 4 % d’invendus."
        ),
        problem=(
            "7 entreprises sur 10 n’ont pas de restaurant d’entreprise",
            "Livraison à 15 €, sandwich industriel ou plat tiède",
            "Une cantine n’est rentable qu’au-delà de 500 salariés",
        ),
        solution=(
            "Frigos connectés installés gratuitement, ouverts 24 h/24",
            "Plats frais de 12 traiteurs lyonnais livrés chaque matin",
            "Paiement par carte ou titre-restaurant, subvention employeur possible",
        ),
        market=(
            (14000, "Restauration d’entreprise en Europe"),
            (1900, "Déjeuners des salariés sans restaurant d’entreprise en France"),
            (20, "Objectif à 5 ans : 1 500 frigos dans 4 métropoles"),
        ),
        model=(
            "Marge de 35 % par plat vendu (prix moyen : 8,90 €)",
            "Abonnement de 150 € par mois au-delà de 2 frigos",
            "Subvention employeur gérée et facturée par Pausa",
        ),
        traction=(
            "Repas vendus par mois",
            9000,
            (
                "120 frigos installés dans 85 entreprises",
                "Moins de 4 % d’invendus, donnés à des associations",
                "82 % des salariés achètent au moins une fois par semaine",
            ),
        ),
        competitors=(
            ("Livraison de repas", "chère, emballages jetables"),
            ("Restaurants d’entreprise", "rentables pour les grands sites seulement"),
            ("Distributeurs automatiques", "produits industriels"),
        ),
        edge="des plats de traiteurs locaux, frais chaque matin, sans cantine à construire",
        ask=(
            1400,
            "Seed",
            (
                "Installer 500 frigos dans la métropole de Lyon",
                "Ouvrir Grenoble et Saint-Étienne",
                "Lancer l’offre petit-déjeuner et snacking",
            ),
        ),
    ),
)

DEMO_JUDGES: tuple[tuple[str, str, str], ...] = (
    ("Isabelle Fournier", "isabelle.fournier@lyon-angels.example", "Business angel, Lyon Angels"),
    ("Karim Haddadi", "karim.haddadi@rhone-ventures.example", "Associé, Rhône Ventures"),
    (
        "Sophie Marchetti",
        "sophie.marchetti@aura-innovation.example",
        "Chargée d’affaires innovation, Agence régionale de l’innovation",
    ),
    ("Marc Dubreuil", "marc.dubreuil@lyonstartupweb.example", "Président, Lyon Startup Web"),
    ("Linh Tran", "linh.tran@confluence-tech.example", "CTO, Confluence Tech"),
    ("Aminata Keïta", "aminata.keita@incubateur-gerland.example", "Directrice, Incubateur Gerland"),
)


# --------------------------------------------------------------------------------------------
# PDF rendering
# --------------------------------------------------------------------------------------------

_H = 190.5  # mm: a 13.33 x 7.5 inch slide, PowerPoint's 16:9 size
_W = _H * 16 / 9
_MX = 18.0  # horizontal margin
_BODY_TOP = 42.0
_BODY_BOTTOM = _H - 19.0
_PT = 25.4 / 72  # mm per point
_FONT = "Helvetica"
_CREATION_DATE = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)

_Rgb = tuple[int, int, int]
_INK: _Rgb = (31, 36, 48)
_MUTED: _Rgb = (101, 109, 122)
_LINE: _Rgb = (222, 226, 232)
_PANEL: _Rgb = (246, 247, 249)
_WHITE: _Rgb = (255, 255, 255)

# Accent colours: deep enough for white text; one is picked from a hash of the startup name.
_ACCENTS: tuple[_Rgb, ...] = (
    (37, 99, 235),
    (13, 148, 136),
    (124, 58, 237),
    (219, 39, 119),
    (234, 88, 12),
    (22, 163, 74),
    (2, 132, 199),
    (220, 38, 38),
    (79, 70, 229),
    (161, 98, 7),
    (5, 150, 105),
    (192, 38, 211),
    (14, 116, 144),
    (190, 18, 60),
)

_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

# Characters outside WinAnsi (cp1252), the only encoding fpdf2's core fonts can show.
_PDF_REPLACEMENTS = str.maketrans(
    {
        "\u202f": "\u00a0",  # narrow no-break space
        "\u2009": " ",
        "\u2011": "-",
        "\u2212": "-",
        "\u2192": "->",
        "\u2248": "~",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2713": "",
    }
)
# A space inside a number or before its unit must not break a line: "12 400", "42 k€", "31 %".
_NUMBER_SPACE = re.compile(r"(?<=\d) (?=\d{3}\b|k€|M€|Md€|€|%|h\b|j/7|kg|m²)")


def _pdf_text(text: str) -> str:
    """Make `text` printable with a core font (WinAnsi only, the rest is dropped), and keep
    numbers and their units on one line."""
    text = _NUMBER_SPACE.sub("\u00a0", text.translate(_PDF_REPLACEMENTS))
    return text.encode("cp1252", errors="ignore").decode("cp1252")


def _mix(color: _Rgb, other: _Rgb, amount: float) -> _Rgb:
    """`color` moved `amount` (0-1) of the way towards `other`."""
    r, g, b = (round(c + (o - c) * amount) for c, o in zip(color, other, strict=True))
    return (r, g, b)


class _Palette(NamedTuple):
    accent: _Rgb
    dark: _Rgb
    soft: _Rgb  # light tint, for panels
    mid: _Rgb  # for secondary bars

    @classmethod
    def for_name(cls, name: str) -> _Palette:
        accent = _ACCENTS[_seed("accent", name) % len(_ACCENTS)]
        # A small hue shift, also from the name, so that two decks rarely get the exact same colour.
        h, lightness, s = colorsys.rgb_to_hls(*(c / 255 for c in accent))
        h = (h + ((_seed("hue", name) % 21) - 10) / 360) % 1.0
        r, g, b = (round(c * 255) for c in colorsys.hls_to_rgb(h, lightness, s))
        accent = (r, g, b)
        return cls(
            accent,
            _mix(accent, (0, 0, 0), 0.3),
            _mix(accent, _WHITE, 0.88),
            _mix(accent, _WHITE, 0.5),
        )


class _Deck:
    """Draws one startup's deck; each `slide_*` method fills one page."""

    def __init__(self, startup: DemoStartup) -> None:
        self.startup = startup
        self.figures = _figures_for(startup)
        self.pal = _Palette.for_name(startup.startup_name)
        self.total = 1 + len(startup.slides)
        pdf = FPDF(orientation="L", unit="mm", format=(_H, _W))
        pdf.core_fonts_encoding = "cp1252"
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.c_margin = 0
        pdf.set_creation_date(_CREATION_DATE)
        # Uncompressed streams put a deck at 40-50 KB, the size of a light real-world deck
        # (compressed, these vector-only slides would weigh about 17 KB).
        pdf.set_compression(False)
        pdf.set_title(f"{startup.startup_name} – Pitch deck")
        pdf.set_author(startup.founders)
        pdf.set_subject(f"Candidature au {CONTEST_NAME}")
        pdf.set_creator("PitchJudge (contenu de démonstration)")
        pdf.set_lang("fr-FR")
        self.pdf = pdf

    # ---------------------------------------------------------------- drawing primitives

    def fill(self, color: _Rgb) -> None:
        self.pdf.set_fill_color(*color)

    def rect(self, x: float, y: float, w: float, h: float, color: _Rgb, radius: float = 0) -> None:
        self.fill(color)
        if radius:
            self.pdf.rect(x, y, w, h, style="F", round_corners=True, corner_radius=radius)
        else:
            self.pdf.rect(x, y, w, h, style="F")

    def rounded(
        self, x: float, y: float, w: float, h: float, color: _Rgb, radius: float, corners: str
    ) -> None:
        """A rectangle rounded only at `corners` ("tl", "tr", "bl", "br", space-separated)."""
        self.rect(x, y, w, h, color, radius)
        r = min(radius, w / 2, h / 2)
        squares = {
            "tl": (x, y),
            "tr": (x + w - r, y),
            "bl": (x, y + h - r),
            "br": (x + w - r, y + h - r),
        }
        for corner, (cx, cy) in squares.items():
            if corner not in corners.split():
                self.rect(cx, cy, r, r, color)

    def dot(self, cx: float, cy: float, r: float, color: _Rgb) -> None:
        self.fill(color)
        self.pdf.ellipse(cx - r, cy - r, 2 * r, 2 * r, style="F")

    def line(
        self, x1: float, y1: float, x2: float, y2: float, color: _Rgb, width: float = 0.3
    ) -> None:
        self.pdf.set_draw_color(*color)
        self.pdf.set_line_width(width)
        self.pdf.line(x1, y1, x2, y2)

    def wrap(self, text: str, w: float, size: float, style: str = "") -> list[str]:
        self.pdf.set_font(_FONT, style, size)
        lines = cast(
            list[str],
            self.pdf.multi_cell(w, size * _PT, _pdf_text(text), dry_run=True, output="LINES"),
        )
        # fpdf2 hands back the lines already encoded for the font; undo that for cell().
        return [line.encode("latin-1").decode("cp1252") for line in lines]

    def text(
        self,
        text: str,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        size: float,
        style: str = "",
        color: _Rgb = _INK,
        align: str = "L",
        valign: str = "T",
        min_size: float = 7.0,
        leading: float = 1.22,
    ) -> float:
        """Write `text` in the box, shrinking the font until it fits; returns the height used."""
        current = size
        while True:
            lines = self.wrap(text, w, current, style)
            line_h = current * _PT * leading
            if len(lines) * line_h <= h + 0.01 or current <= min_size:
                break
            current = max(min_size, current - 0.5)
        max_lines = max(1, int((h + 0.01) // line_h))
        if len(lines) > max_lines:  # still too long at the minimum size: ellipsis
            lines = lines[:max_lines]
            last = lines[-1].rstrip()
            while last and self.pdf.get_string_width(last + "…") > w:
                last = last[:-1].rstrip()
            lines[-1] = last + "…"
        used = len(lines) * line_h
        top = y + (h - used) / 2 if valign == "M" else y + (h - used) if valign == "B" else y
        self.pdf.set_text_color(*color)
        for i, line in enumerate(lines):
            self.pdf.set_xy(x, top + i * line_h)
            self.pdf.cell(w, line_h, line, align=align)
        return used

    def label(
        self,
        text: str,
        x: float,
        y: float,
        w: float,
        *,
        size: float,
        style: str = "",
        color: _Rgb = _INK,
        align: str = "L",
    ) -> None:
        """One line of text, shrunk if needed to fit `w`."""
        self.text(
            text, x, y, w, size * _PT * 1.22, size=size, style=style, color=color, align=align
        )

    # ---------------------------------------------------------------- page chrome

    def new_slide(self, title: str) -> None:
        pdf = self.pdf
        pdf.add_page()
        page = pdf.page_no()
        self.rect(0, 0, _W, 4, self.pal.accent)
        self.label(title, _MX, 13, _W - 2 * _MX - 60, size=27, style="B")
        self.rect(_MX, 30.5, 16, 1.4, self.pal.accent)
        self.label(
            self.startup.category.upper(),
            _W - _MX - 90,
            15.5,
            90,
            size=8,
            style="B",
            color=_MUTED,
            align="R",
        )
        # footer
        self.line(_MX, _H - 13, _W - _MX, _H - 13, _LINE, 0.3)
        self.footer(page)

    def footer(self, page: int) -> None:
        name = _pdf_text(self.startup.startup_name)
        self.pdf.set_font(_FONT, "B", 8.5)
        name_w = self.pdf.get_string_width(name)
        self.label(name, _MX, _H - 10.5, name_w + 1, size=8.5, style="B", color=self.pal.accent)
        self.label(f"·  {CONTEST_NAME}", _MX + name_w + 2.5, _H - 10.5, 90, size=8.5, color=_MUTED)
        self.label(
            f"{page} / {self.total}",
            _W - _MX - 30,
            _H - 10.5,
            30,
            size=8.5,
            color=_MUTED,
            align="R",
        )

    # ---------------------------------------------------------------- slides

    def build(self) -> bytes:
        self.slide_title()
        for title, bullets in self.startup.slides:
            draw = {
                SLIDE_PROBLEM: self.slide_problem,
                SLIDE_SOLUTION: self.slide_solution,
                SLIDE_MARKET: self.slide_market,
                SLIDE_MODEL: self.slide_model,
                SLIDE_TRACTION: self.slide_traction,
                SLIDE_COMPETITION: self.slide_competition,
                SLIDE_TEAM: self.slide_team,
                SLIDE_ASK: self.slide_ask,
            }.get(title, self.slide_bullets)
            self.new_slide(title)
            draw(bullets)
        return bytes(self.pdf.output())

    def slide_title(self) -> None:
        s, pal, pdf = self.startup, self.pal, self.pdf
        pdf.add_page()
        split = 212.0
        self.rect(0, 0, _W, _H, pal.accent)
        self.dot(split - 18, 8, 62, _mix(pal.accent, _WHITE, 0.1))
        self.dot(split - 70, _H + 6, 44, _mix(pal.accent, (0, 0, 0), 0.1))
        self.dot(28, -6, 16, _mix(pal.accent, _WHITE, 0.06))
        self.rect(split, 0, _W - split, _H, _PANEL)
        light = _mix(pal.accent, _WHITE, 0.72)
        x, w = _MX + 6, split - _MX - 30
        self.label(
            f"{CONTEST_NAME.upper()}  ·  PITCH DECK", x, 28, w, size=9.5, style="B", color=light
        )
        self.text(
            s.startup_name, x, 46, w, 40, size=50, style="B", color=_WHITE, valign="B", min_size=28
        )
        self.rect(x, 92, 24, 1.8, _WHITE)
        self.text(s.one_liner, x, 100, w, 40, size=18, color=_WHITE, leading=1.28)
        self.label("FONDATEURS", x, 148, w, size=8.5, style="B", color=light)
        self.text(s.founders, x, 154, w, 14, size=12, color=_WHITE)
        # right panel
        px, pw = split + 16, _W - split - 32
        self.rect(px, 30, 26, 26, pal.accent, radius=6)
        initials = "".join(word[0] for word in s.startup_name.split()[:2]).upper()
        self.text(
            initials,
            px,
            30,
            26,
            26,
            size=24 if len(initials) == 1 else 18,
            style="B",
            color=_WHITE,
            align="C",
            valign="M",
        )
        self.label(s.startup_name, px + 31, 36, pw - 31, size=13, style="B")
        self.label(s.website.removeprefix("https://"), px + 31, 43, pw - 31, size=9.5, color=_MUTED)
        rows = (
            ("CATÉGORIE", s.category),
            ("SITE WEB", s.website),
            ("CONTACT", s.contact_email),
            ("CANDIDATURE", f"{CONTEST_NAME}, {ASSOCIATION_NAME}"),
        )
        y = 74.0
        for caption, value in rows:
            self.label(caption, px, y, pw, size=7.5, style="B", color=pal.accent)
            self.text(value, px, y + 4.5, pw, 10, size=10.5, color=_INK)
            y += 20
        self.label(f"1 / {self.total}", px, _H - 10.5, pw, size=8.5, color=_MUTED, align="R")

    def cards(self, items: Sequence[str], *, numbered: bool, tinted: bool) -> None:
        n = max(1, len(items))
        gap = 8.0
        w = (_W - 2 * _MX - gap * (n - 1)) / n
        top, h = _BODY_TOP + 6, 104.0
        for i, item in enumerate(items):
            x = _MX + i * (w + gap)
            if tinted:  # an accent card showing only as a 3 mm top edge
                self.rect(x, top, w, h, self.pal.accent, radius=4)
                self.rounded(x, top + 3, w, h - 3, self.pal.soft, 4, "bl br")
                self.label(
                    f"{i + 1:02d}", x + 10, top + 12, 30, size=30, style="B", color=self.pal.accent
                )
            else:
                self.rect(x, top, w, h, _PANEL, radius=4)
                self.dot(x + 18, top + 20, 8, self.pal.accent)
                self.text(
                    str(i + 1),
                    x + 10,
                    top + 12,
                    16,
                    16,
                    size=15,
                    style="B",
                    color=_WHITE,
                    align="C",
                    valign="M",
                )
            self.text(
                item,
                x + 10,
                top + 36,
                w - 20,
                h - 46,
                size=20,
                style="" if tinted else "B",
                valign="B",
                leading=1.28,
            )

    def bullet_list(
        self, items: Sequence[str], x: float, y: float, w: float, h: float, *, size: float = 16
    ) -> None:
        """Bullets spread over the box, shrunk together until they all fit."""
        gap_ratio = 0.9
        current = size
        while True:
            heights = [
                len(self.wrap(item, w - 8, current)) * current * _PT * 1.25 for item in items
            ]
            gap = current * _PT * gap_ratio * 1.6
            total = sum(heights) + gap * (len(items) - 1)
            if total <= h or current <= 9:
                break
            current -= 0.5
        cy = y
        for item, item_h in zip(items, heights, strict=True):
            if cy > y and cy + item_h > y + h + 0.01:
                break  # even at the minimum size there is no room left: drop the rest
            self.dot(x + 2, cy + current * _PT * 0.62, current * _PT * 0.16 + 0.4, self.pal.accent)
            self.text(
                item, x + 8, cy, w - 8, item_h + 0.5, size=current, min_size=current, leading=1.25
            )
            cy += item_h + gap

    def slide_bullets(self, bullets: Sequence[str]) -> None:
        self.bullet_list(
            bullets, _MX, _BODY_TOP + 6, _W - 2 * _MX, _BODY_BOTTOM - _BODY_TOP - 6, size=18
        )

    def slide_problem(self, bullets: Sequence[str]) -> None:
        if 1 <= len(bullets) <= 4:
            self.cards(bullets, numbered=True, tinted=False)
        else:
            self.slide_bullets(bullets)

    def slide_model(self, bullets: Sequence[str]) -> None:
        if 1 <= len(bullets) <= 4:
            self.cards(bullets, numbered=False, tinted=True)
        else:
            self.slide_bullets(bullets)

    def slide_solution(self, bullets: Sequence[str]) -> None:
        s = self.startup
        right = 188.0
        top = _BODY_TOP + 4
        self.text(
            s.one_liner,
            _MX,
            top,
            right - _MX - 14,
            22,
            size=14,
            style="B",
            color=self.pal.dark,
            leading=1.25,
        )
        self.bullet_list(bullets, _MX, top + 30, right - _MX - 14, _BODY_BOTTOM - top - 32, size=15)
        rng = _rng(s.startup_name, "mockup")
        phone_words = ("appli", "smartphone")
        text = (s.one_liner + " ".join(bullets)).lower()
        if any(word in text for word in phone_words):
            self.phone_mockup(right, top - 2, _W - _MX - right, _BODY_BOTTOM - top + 2, rng)
        else:
            self.browser_mockup(right, top, _W - _MX - right, _BODY_BOTTOM - top - 2, rng)

    def browser_mockup(self, x: float, y: float, w: float, h: float, rng: random.Random) -> None:
        pal = self.pal
        self.rect(x + 1.2, y + 1.6, w, h, _LINE, radius=3)  # shadow
        self.rect(x, y, w, h, (236, 238, 242), radius=3)
        self.rounded(x, y + 8, w, h - 8, _WHITE, 3, "bl br")
        for i, color in enumerate(((239, 107, 107), (245, 190, 80), (98, 200, 120))):
            self.dot(x + 5 + i * 4.2, y + 4, 1.2, color)
        self.rect(x + 22, y + 2, w - 44, 4, _WHITE, radius=2)
        self.label(self.startup.website, x + 22, y + 2.4, w - 44, size=6, color=_MUTED, align="C")
        # sidebar
        sw = 26.0
        self.rounded(x, y + 8, sw, h - 8, pal.dark, 3, "bl")
        self.label(
            self.startup.startup_name, x + 3, y + 12, sw - 6, size=6.5, style="B", color=_WHITE
        )
        for i in range(6):
            color = _mix(pal.dark, _WHITE, 0.55 if i == 0 else 0.25)
            self.rect(
                x + 3,
                y + 22 + i * 7,
                (sw - 6) * (0.9 if i == 0 else rng.uniform(0.5, 0.8)),
                2.2,
                color,
                radius=1,
            )
        cx, cw = x + sw + 6, w - sw - 12
        self.label("Tableau de bord", cx, y + 12, cw, size=8, style="B")
        self.rect(cx + cw - 18, y + 12.2, 18, 4.2, pal.accent, radius=2)
        # KPI tiles
        tile_w = (cw - 8) / 3
        values = self.figures.traction
        kpis = (
            _fr_compact(values[-1]),
            f"+{_fr_number(100 * (values[-1] / values[-4] - 1))} %",
            f"{rng.randint(86, 98)} %",
        )
        for i, kpi in enumerate(kpis):
            tx = cx + i * (tile_w + 4)
            self.rect(tx, y + 21, tile_w, 16, _PANEL, radius=2)
            self.rect(tx + 3, y + 24, tile_w * 0.45, 1.8, _LINE, radius=0.9)
            self.label(
                kpi,
                tx + 3,
                y + 28.5,
                tile_w - 6,
                size=10,
                style="B",
                color=pal.dark if i else pal.accent,
            )
        # area chart of the traction curve
        gy, gh = y + 42, h - 42 - 34
        self.rect(cx, gy, cw, gh, _PANEL, radius=2)
        top_value = max(values)
        points = [
            (cx + 4 + i * (cw - 8) / (len(values) - 1), gy + gh - 4 - (v / top_value) * (gh - 10))
            for i, v in enumerate(values)
        ]
        self.fill(pal.soft)
        self.pdf.polygon(
            [(points[0][0], gy + gh - 4), *points, (points[-1][0], gy + gh - 4)], style="F"
        )
        self.pdf.set_draw_color(*pal.accent)
        self.pdf.set_line_width(0.7)
        self.pdf.polyline(points)
        self.dot(*points[-1], 1.4, pal.accent)
        # list rows
        ry = gy + gh + 5
        for i in range(3):
            self.dot(cx + 3, ry + 3 + i * 9.5, 2.6, _mix(pal.accent, _WHITE, 0.3 + 0.2 * i))
            self.rect(
                cx + 9, ry + 1 + i * 9.5, cw * rng.uniform(0.35, 0.55), 1.9, _LINE, radius=0.9
            )
            self.rect(
                cx + 9, ry + 4.2 + i * 9.5, cw * rng.uniform(0.2, 0.3), 1.5, _PANEL, radius=0.7
            )
            self.rect(cx + cw - 14, ry + 1.6 + i * 9.5, 14, 3.2, pal.soft, radius=1.6)

    def phone_mockup(self, x: float, y: float, w: float, h: float, rng: random.Random) -> None:
        pal = self.pal
        ph_h = h
        ph_w = ph_h * 0.5
        px = x + (w - ph_w) / 2
        self.dot(px + ph_w / 2, y + ph_h / 2, ph_h * 0.46, pal.soft)
        self.rect(px, y, ph_w, ph_h, (28, 31, 40), radius=8)
        sx, sy, sw, sh = px + 2.6, y + 2.6, ph_w - 5.2, ph_h - 5.2
        self.rect(sx, sy, sw, sh, _WHITE, radius=6)
        self.rounded(sx, sy, sw, 30, pal.accent, 6, "tl tr")
        self.rect(px + ph_w / 2 - 8, y + 4, 16, 3.4, (28, 31, 40), radius=1.7)
        self.label(
            self.startup.startup_name, sx + 5, sy + 11, sw - 10, size=9, style="B", color=_WHITE
        )
        self.label(
            "Bonjour Claire",
            sx + 5,
            sy + 17,
            sw - 10,
            size=6.5,
            color=_mix(pal.accent, _WHITE, 0.75),
        )
        # progress ring substitute: a bar
        done = rng.uniform(0.55, 0.85)
        self.rect(sx + 5, sy + 23.5, sw - 10, 2.2, _mix(pal.accent, _WHITE, 0.35), radius=1.1)
        self.rect(sx + 5, sy + 23.5, (sw - 10) * done, 2.2, _WHITE, radius=1.1)
        cy = sy + 36
        for i in range(4):
            self.rect(sx + 4, cy, sw - 8, 16, _PANEL, radius=3)
            self.dot(sx + 10.5, cy + 8, 3.6, _mix(pal.accent, _WHITE, 0.25 + 0.18 * i))
            self.rect(sx + 17, cy + 4.6, (sw - 26) * rng.uniform(0.6, 0.95), 2, _LINE, radius=1)
            self.rect(
                sx + 17,
                cy + 9,
                (sw - 26) * rng.uniform(0.35, 0.6),
                1.6,
                (232, 234, 238),
                radius=0.8,
            )
            cy += 19
        for i in range(4):
            self.dot(sx + sw * (i + 0.5) / 4, sy + sh - 6, 1.5, pal.accent if i == 0 else _LINE)

    def slide_market(self, bullets: Sequence[str]) -> None:
        market = self.figures.market
        pal = self.pal
        colors = (pal.dark, pal.accent, pal.mid)
        split = 180.0
        row_h = (_BODY_BOTTOM - _BODY_TOP - 6) / max(1, len(market))
        for i, (label, value, what) in enumerate(market):
            y = _BODY_TOP + 4 + i * row_h
            color = colors[i % len(colors)]
            self.rect(_MX, y + 1, 2.4, 22, color, radius=1.2)
            amount = _money_m(value)
            self.label(amount, _MX + 9, y, 70, size=24, style="B", color=color)
            amount_w = self.pdf.get_string_width(_pdf_text(amount))
            self.label(label, _MX + 9 + amount_w + 4, y + 3.6, 30, size=12, style="B", color=_MUTED)
            text = bullets[i].split(" : ", 1)[-1] if i < len(bullets) else what
            self.text(text, _MX + 9, y + 11.5, split - _MX - 25, row_h - 14, size=12.5, color=_INK)
        # bar chart, square-root scale so the SOM stays visible
        x0, x1 = split + 6, _W - _MX
        base = _BODY_BOTTOM - 18
        top = _BODY_TOP + 14
        self.rect(x0, _BODY_TOP + 2, x1 - x0, _BODY_BOTTOM - _BODY_TOP - 2, _PANEL, radius=4)
        biggest = max(v for _, v, _ in market) ** 0.5
        bar_w = 26.0
        slot = (x1 - x0 - 20) / len(market)
        for i, (label, value, _) in enumerate(market):
            bh = max(4.0, (value**0.5) / biggest * (base - top - 8))
            bx = x0 + 10 + i * slot + (slot - bar_w) / 2
            self.rect(bx, base - bh, bar_w, bh, colors[i % len(colors)])
            self.label(
                _money_m(value), bx - 8, base - bh - 7, bar_w + 16, size=11, style="B", align="C"
            )
            self.label(
                label, bx - 8, base + 3, bar_w + 16, size=10, style="B", color=_MUTED, align="C"
            )
        self.line(x0 + 8, base, x1 - 8, base, (190, 196, 205), 0.4)
        self.label(
            "Échelle en racine carrée · sources : études sectorielles, estimations de l’équipe",
            x0 + 8,
            _BODY_BOTTOM - 6,
            x1 - x0 - 16,
            size=6.5,
            color=_MUTED,
            align="C",
        )

    def slide_traction(self, bullets: Sequence[str]) -> None:
        pal, fig = self.pal, self.figures
        left_w = 118.0
        n = max(1, len(bullets))
        gap = 6.0
        box_h = (_BODY_BOTTOM - _BODY_TOP - 4 - gap * (n - 1)) / n
        for i, item in enumerate(bullets):
            y = _BODY_TOP + 2 + i * (box_h + gap)
            self.rect(_MX, y, left_w, box_h, pal.soft, radius=3)
            self.rect(_MX, y, 3, box_h, pal.accent)
            self.text(
                item,
                _MX + 9,
                y + 3,
                left_w - 15,
                box_h - 6,
                size=14,
                style="B",
                color=_INK,
                valign="M",
            )
        # chart
        x0, x1 = _MX + left_w + 12, _W - _MX
        y0, y1 = _BODY_TOP + 2, _BODY_BOTTOM
        values = fig.traction
        self.label(fig.traction_label, x0, y0, x1 - x0 - 50, size=13, style="B")
        growth = values[-1] / values[0]
        badge = f"×{_fr_number(growth, 1)} en 12 mois"
        self.rect(x1 - 44, y0, 44, 7, pal.accent, radius=3.5)
        self.label(badge, x1 - 44, y0 + 1.2, 44, size=9, style="B", color=_WHITE, align="C")
        plot_l, plot_r = x0 + 14, x1
        plot_t, plot_b = y0 + 16, y1 - 9
        top_tick, step = _nice_ticks(max(values))
        ticks = [step * k for k in range(round(top_tick / step) + 1)]
        for tick in ticks:
            ty = plot_b - tick / top_tick * (plot_b - plot_t)
            self.line(
                plot_l, ty, plot_r, ty, _LINE if tick else (190, 196, 205), 0.25 if tick else 0.4
            )
            self.label(_fr_compact(tick), x0 - 4, ty - 2, 16, size=7.5, color=_MUTED, align="R")
        slot = (plot_r - plot_l) / len(values)
        bar_w = slot * 0.62
        for i, v in enumerate(values):
            bh = v / top_tick * (plot_b - plot_t)
            bx = plot_l + i * slot + (slot - bar_w) / 2
            self.rect(bx, plot_b - bh, bar_w, bh, pal.accent if i >= len(values) - 3 else pal.mid)
            self.label(
                _MONTHS[i % 12], bx - 3, plot_b + 1.8, bar_w + 6, size=7, color=_MUTED, align="C"
            )
        last_x = plot_l + (len(values) - 1) * slot + slot / 2
        last_y = plot_b - values[-1] / top_tick * (plot_b - plot_t)
        self.label(
            _fr_compact(values[-1]),
            last_x - 14,
            last_y - 6.5,
            28,
            size=10,
            style="B",
            color=pal.dark,
            align="C",
        )
        self.label("2026", plot_r - 20, y1 - 3, 20, size=7, color=_MUTED, align="R")

    def slide_competition(self, bullets: Sequence[str]) -> None:
        pal = self.pal
        rng = _rng(self.startup.startup_name, "competition")
        x_axis, y_axis = _COMPETITION_AXES.get(self.startup.category, ("Simplicité", "Efficacité"))
        bx, by, bw, bh = _MX + 12, _BODY_TOP + 2, 150.0, 112.0
        half_w, half_h = bw / 2, bh / 2
        for qx in (0, 1):
            for qy in (0, 1):
                color = pal.soft if (qx, qy) == (1, 1) else _PANEL
                self.rect(bx + qx * half_w, by + (1 - qy) * half_h, half_w, half_h, color)
        self.line(bx, by + half_h, bx + bw, by + half_h, (180, 186, 196), 0.4)
        self.line(bx + half_w, by, bx + half_w, by + bh, (180, 186, 196), 0.4)
        self.label(
            f"{x_axis}  »",
            bx + half_w,
            by + bh + 2,
            half_w,
            size=8.5,
            style="B",
            color=_MUTED,
            align="R",
        )
        with self.pdf.rotation(90, bx - 3, by + bh):
            self.label(
                f"{y_axis}  »",
                bx - 3 + half_h,
                by + bh - 4.5,
                half_h,
                size=8.5,
                style="B",
                color=_MUTED,
                align="R",
            )
        quadrants = [(0, 1), (1, 0), (0, 0)]
        rng.shuffle(quadrants)

        def place(fx: float, fy: float, name: str, *, ours: bool) -> None:
            cx, cy = bx + fx * bw, by + (1 - fy) * bh
            self.dot(cx, cy, 4.2 if ours else 2.8, pal.accent if ours else (150, 157, 168))
            self.text(
                name,
                cx - 30,
                cy + 5,
                60,
                9,
                size=10 if ours else 8.5,
                style="B",
                color=pal.dark if ours else _INK,
                align="C",
                min_size=7,
                leading=1.1,
            )

        for (qx, qy), rival in zip(quadrants, self.figures.competitors, strict=False):
            fx = qx * 0.5 + 0.25 + rng.uniform(-0.07, 0.07)
            fy = qy * 0.5 + 0.33 + rng.uniform(-0.05, 0.08)
            place(fx, fy, rival, ours=False)
        place(
            0.75 + rng.uniform(-0.02, 0.08),
            0.83 + rng.uniform(-0.06, 0.04),
            self.startup.startup_name,
            ours=True,
        )
        # right column: who they are, what they miss
        x0 = bx + bw + 14
        w = _W - _MX - x0
        n = max(1, len(bullets))
        row_h = min(30.0, (_BODY_BOTTOM - _BODY_TOP) / n)
        for i, item in enumerate(bullets):
            name, _, weakness = item.partition(" : ")
            y = _BODY_TOP + 2 + i * row_h
            ours = name.startswith(_EDGE_PREFIX)
            body = weakness[:1].upper() + weakness[1:] if weakness else ""
            if ours:
                body_h = len(self.wrap(body, w, 11.5)) * 11.5 * _PT * 1.22
                self.rect(x0 - 5, y - 4, w + 9, min(row_h, body_h + 16), pal.soft, radius=3)
            self.label(name, x0, y, w, size=12.5, style="B", color=pal.dark if ours else _INK)
            self.text(body, x0, y + 6.5, w, row_h - 11, size=11.5, color=_INK if ours else _MUTED)

    def slide_team(self, bullets: Sequence[str]) -> None:
        pal = self.pal
        people: list[tuple[str, str, str]] = []
        extras: list[str] = []
        for item in bullets:
            match = re.fullmatch(r"(?P<name>[^()]+?) \((?P<role>[^)]+)\) : (?P<bio>.+)", item)
            if match:
                people.append((match["name"], match["role"], match["bio"]))
            else:
                extras.append(item)
        if not people:  # founders from the application form, without biographies
            for part in self.startup.founders.split(", "):
                name, _, role = part.partition(" (")
                people.append((name, role.rstrip(")"), ""))
        n = len(people)
        gap = 10.0
        card_w = min(92.0, (_W - 2 * _MX - gap * (n - 1)) / n)
        total = n * card_w + gap * (n - 1)
        top, card_h = _BODY_TOP + 4, 98.0
        for i, (name, role, bio) in enumerate(people):
            x = (_W - total) / 2 + i * (card_w + gap)
            self.rect(x, top, card_w, card_h, _PANEL, radius=4)
            cx = x + card_w / 2
            self.dot(cx, top + 24, 15, _mix(pal.accent, _WHITE, 0.12 * i))
            initials = "".join(word[0] for word in name.split()[:2]).upper()
            self.text(
                initials,
                cx - 15,
                top + 9,
                30,
                30,
                size=20,
                style="B",
                color=_WHITE,
                align="C",
                valign="M",
            )
            self.label(name, x + 6, top + 45, card_w - 12, size=15, style="B", align="C")
            self.label(
                role, x + 6, top + 53, card_w - 12, size=11, style="B", color=pal.accent, align="C"
            )
            self.rect(cx - 8, top + 61.5, 16, 0.8, _LINE)
            self.text(
                bio,
                x + 8,
                top + 66,
                card_w - 16,
                card_h - 72,
                size=12,
                color=_MUTED,
                align="C",
                leading=1.3,
            )
        if extras:
            self.text(
                "  ·  ".join(extras),
                _MX,
                top + card_h + 8,
                _W - 2 * _MX,
                10,
                size=11.5,
                style="B",
                color=pal.dark,
                align="C",
            )

    def slide_ask(self, bullets: Sequence[str]) -> None:
        pal, fig = self.pal, self.figures
        milestones = [
            b for b in bullets if not b.startswith((_ASK_AMOUNT_PREFIX, _ASK_FUNDS_PREFIX))
        ]
        left_w = 140.0
        top = _BODY_TOP + 2
        self.label("NOUS RECHERCHONS", _MX, top, left_w, size=9.5, style="B", color=_MUTED)
        self.label(
            _money_k(fig.ask_k_eur), _MX, top + 6, left_w, size=54, style="B", color=pal.accent
        )
        self.label(fig.stage, _MX, top + 29, left_w, size=14, style="B", color=_INK)
        self.label("OBJECTIFS À 18 MOIS", _MX, top + 44, left_w, size=9.5, style="B", color=_MUTED)
        self.bullet_list(milestones, _MX, top + 52, left_w, _BODY_BOTTOM - top - 52, size=14)
        # use of funds
        x0 = _MX + left_w + 16
        w = _W - _MX - x0
        self.rect(x0, top - 2, w, _BODY_BOTTOM - top + 2, _PANEL, radius=4)
        self.label("Utilisation des fonds", x0 + 10, top + 5, w - 20, size=14, style="B")
        shades = (pal.dark, pal.accent, pal.mid, _mix(pal.accent, _WHITE, 0.7))
        stack_x, stack_w = x0 + 10, w - 20
        offset = 0.0
        for i, (_, pct) in enumerate(fig.funds):
            seg = stack_w * pct / 100
            self.rect(stack_x + offset, top + 15, seg, 8, shades[i % len(shades)])
            offset += seg
        row_y = top + 32
        row_h = (_BODY_BOTTOM - row_y - 6) / max(1, len(fig.funds))
        for i, (use, pct) in enumerate(fig.funds):
            y = row_y + i * row_h
            self.rect(stack_x, y + 1, 5, 5, shades[i % len(shades)], radius=1)
            self.label(use, stack_x + 9, y + 0.6, stack_w * 0.5, size=12, style="B")
            amount = _money_k(round(fig.ask_k_eur * pct / 100))
            self.label(
                f"{pct} %",
                stack_x + stack_w - 62,
                y + 0.6,
                22,
                size=12,
                style="B",
                color=pal.dark,
                align="R",
            )
            self.label(
                amount, stack_x + stack_w - 38, y + 0.6, 38, size=12, color=_MUTED, align="R"
            )
            self.rect(
                stack_x + 9,
                y + 8,
                (stack_w - 9) * pct / 100,
                1.6,
                shades[i % len(shades)],
                radius=0.8,
            )


def _nice_ticks(maximum: float) -> tuple[float, float]:
    """(top, step) for a y axis from 0 covering `maximum` with 3-5 round ticks."""
    raw = maximum / 4
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step * 5 >= maximum * 1.08:
            top = step * -(-maximum * 1.08 // step)
            return top, step
    return maximum * 1.1, maximum * 1.1 / 4


def make_demo_deck(startup: DemoStartup) -> bytes:
    """A multi-page PDF pitch deck (16:9 slides) for `startup`, made with fpdf2.

    A title slide followed by one slide per entry of `startup.slides`; the standard titles
    (problem, solution, market, business model, traction, competition, team, ask) get charts
    and dedicated layouts, any other title a bullet list. Deterministic: the same startup
    always gives the same bytes.
    """
    return _Deck(startup).build()
