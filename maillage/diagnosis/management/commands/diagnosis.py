import csv
import time
from pathlib import Path

from django.core.exceptions import ValidationError

from maillage.core.audit import command_run
from maillage.core.commands import CommandError, SubcommandCommand
from maillage.diagnosis import engine, selectors, services, variants
from maillage.diagnosis.enums import RunKind
from maillage.diagnosis.methods import load_method, preset_names, preset_path
from maillage.diagnosis.models import IndexRun
from maillage.territories.territory import TerritoryRef


def _messages(error: ValidationError) -> str:
    return " ; ".join(error.messages)


class Command(SubcommandCommand):
    help = "Diagnostic : indice de fragilité numérique, couverture du maillage, zones blanches."

    def add_actions(self, actions):
        methods = actions.add_parser("methods", help="Lister les méthodes fournies et les calculs enregistrés.")
        methods.add_argument("--show", metavar="METHODE", help="Afficher le YAML d'une méthode (à copier).")

        compute = actions.add_parser("compute", help="Calculer un indice pour toute la France, à tous les niveaux.")
        compute.add_argument(
            "--method", required=True, help=f"Méthode : {', '.join(preset_names())} ou un fichier YAML."
        )
        compute.add_argument(
            "--inputs", metavar="DOSSIER", help="Dossier des indicateurs bruts (fichiers nommés par la méthode)."
        )
        compute.add_argument(
            "--commune-scores", metavar="FICHIER", help="Partir de communes déjà notées (agrégation seule)."
        )
        compute.add_argument(
            "--output",
            metavar="DOSSIER",
            required=True,
            help="Où écrire commune.csv, epci.csv, departement.csv, region.csv.",
        )
        compute.add_argument(
            "--populations",
            metavar="FICHIER",
            help="Populations de pondération (code;population ou DEPCOM;PMUN). "
            "Par défaut : populations légales 2023 du référentiel.",
        )
        compute.add_argument(
            "--compare", metavar="FICHIER", help="Scores communaux publiés à comparer (accord par indicateur)."
        )
        compute.add_argument("--store", action="store_true", help="Enregistrer le calcul dans la base (pages, API).")
        compute.add_argument("--kind", choices=[k.value for k in RunKind], default=RunKind.OFFICIAL.value)
        compute.add_argument("--departements", help="N'enregistrer que ces départements (ex. 18,28,36,37,41,45).")
        compute.add_argument("--vintage", default="", help="Millésime des données, enregistré avec le calcul.")

        coverage = actions.add_parser("coverage", help="Couverture du maillage et zones blanches d'un territoire.")
        coverage.add_argument("--territoire", required=True, help="commune|epci|departement|region:<code>")
        coverage.add_argument(
            "--distance", type=float, default=selectors.DEFAULT_DISTANCE_KM, help="Distance de portée en km (10)."
        )
        coverage.add_argument(
            "--seuil",
            type=float,
            default=selectors.DEFAULT_THRESHOLD,
            help="Score total à partir duquel une commune est fragile (6).",
        )
        coverage.add_argument("--calcul", type=int, help="Identifiant du calcul d'indice (par défaut : le dernier).")
        coverage.add_argument("--output", metavar="FICHIER.csv", help="Écrire le résultat par commune.")
        coverage.add_argument("--limit", type=int, default=15, help="Zones blanches affichées.")

        sensitivity = actions.add_parser("sensitivity", help="Sensibilité d'un indice (poids, bornes de classes).")
        sensitivity.add_argument("--territoire", required=True)
        sensitivity.add_argument("--calcul", type=int)
        sensitivity.add_argument(
            "--method", help="Avec --inputs : déplacer les bornes des déciles sur les données brutes."
        )
        sensitivity.add_argument("--inputs", metavar="DOSSIER")

        variant = actions.add_parser("variant", help="Comparer une variante locale à l'indice officiel.")
        variant.add_argument("--territoire", required=True)
        variant.add_argument("--calcul", type=int)
        variant.add_argument("--retirer", default="", help="Indicateurs à retirer (séparés par des virgules).")
        variant.add_argument(
            "--ajouter", default="", help="Indicateurs maillage à ajouter : distance_lieu, heures_a_portee, densite."
        )
        variant.add_argument("--poids", default="", help="Poids, ex. poverty_rate=2,nscol15p_rate=0.5")
        variant.add_argument("--output", metavar="FICHIER.csv", help="Écrire l'écart par commune.")

        delete = actions.add_parser("delete", help="Supprimer un calcul enregistré.")
        delete.add_argument("run_id", type=int)
        delete.add_argument("--yes", action="store_true", help="Confirmer la suppression.")

    # --- methods ---------------------------------------------------------------------------------

    def handle_methods(self, *, show, **options):
        if show:
            try:
                method = load_method(show)
            except ValidationError as error:
                raise CommandError(_messages(error)) from error
            self.stdout.write(method.text)
            return
        self.stdout.write("Méthodes fournies (copiez le fichier pour créer une variante) :")
        for name in preset_names():
            method = load_method(name)
            self.stdout.write(f"  {name:<8} v{method.version:<12} {method.label}")
            self.stdout.write(f"           {preset_path(name)}")
            self.stdout.write(f"           indicateurs : {', '.join(method.indicator_keys)}")
        runs = IndexRun.objects.all()[:20]
        self.stdout.write(
            "Calculs enregistrés :" if runs else "Aucun calcul enregistré (maillage diagnosis compute … --store)."
        )
        for run in runs:
            self.stdout.write(
                f"  n° {run.pk:<4} {run.created_at:%d/%m/%Y %H:%M}  {run.method_key} v{run.method_version}  "
                f"{run.get_kind_display()}  {run.data_vintage[:60]}  {run.counts}"
            )

    # --- compute ---------------------------------------------------------------------------------

    def handle_compute(
        self,
        *,
        method,
        inputs,
        commune_scores,
        output,
        populations,
        compare,
        store,
        kind,
        departements,
        vintage,
        **options,
    ):
        started = time.perf_counter()
        try:
            chosen = load_method(method)
            computation = services.index_compute(
                method=chosen,
                inputs_dir=Path(inputs) if inputs else None,
                commune_scores=Path(commune_scores) if commune_scores else None,
                populations=Path(populations) if populations else None,
                compare_with=Path(compare) if compare else None,
            )
        except ValidationError as error:
            raise CommandError(_messages(error)) from error
        result = computation.result
        written = engine.write_outputs(result, Path(output))
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{level} {len(result.levels[level].codes)}" for level in engine.LEVELS)
        self.stdout.write(f"{chosen.label} (v{chosen.version}) — {computation.inputs} — {elapsed:.1f} s")
        self.stdout.write(f"Territoires : {counts}")
        for path in written:
            self.stdout.write(f"  écrit : {path}")
        for note in result.notes:
            self.stdout.write(f"  {note}")
        if result.unmatched:
            self.stdout.write(
                f"  {len(result.unmatched)} code(s) sans correspondance dans le référentiel (non agrégés) : "
                f"{', '.join(result.unmatched[:10])}{'…' if len(result.unmatched) > 10 else ''}"
            )
        if computation.agreement:
            self.stdout.write("Accord avec les scores publiés (toutes les communes comparées) :")
            for item in computation.agreement:
                self.stdout.write("  " + item.line())
            self.stdout.write("Communes d'un seul IRIS (valeur communale exacte) :")
            for item in computation.agreement_single_iris:
                self.stdout.write("  " + item.line())
        if store:
            scope = {code.strip().upper() for code in departements.split(",")} if departements else None
            with command_run():
                run = services.index_run_store(
                    actor=None, computation=computation, kind=kind, data_vintage=vintage, departements=scope
                )
            self.stdout.write(f"Calcul enregistré : n° {run.pk} ({run.counts})")

    # --- coverage --------------------------------------------------------------------------------

    def _territory(self, value: str) -> TerritoryRef:
        try:
            ref = TerritoryRef.parse(value)
        except ValidationError as error:
            raise CommandError(_messages(error)) from error
        if not ref.exists():
            raise CommandError(f"Territoire inconnu : {value} (chargez le référentiel : maillage territories load).")
        return ref

    def handle_coverage(self, *, territoire, distance, seuil, calcul, output, limit, **options):
        ref = self._territory(territoire)
        run = selectors.run_for_territory(ref, calcul)
        coverage = selectors.territory_coverage(ref, distance_km=distance, run=run, threshold=seuil)
        communes = coverage.communes
        population = communes.population.sum()
        self.stdout.write(
            f"{ref} : {len(communes.codes)} communes, {int(population)} habitants, "
            f"{coverage.places_total} lieux publiés "
            f"(France entière, pour les distances)."
        )
        beyond = coverage.population_beyond()
        self.stdout.write(
            f"Population à plus de {distance:g} km d'un lieu : {int(beyond)} ({beyond / population:.1%})"
            if population
            else ""
        )
        fragile = coverage.fragile_population_beyond()
        if fragile is None:
            self.stdout.write("Pas d'indice de fragilité calculé pour ce territoire : population fragile inconnue.")
        else:
            self.stdout.write(
                f"Population fragile (score ≥ {seuil:g}) à plus de {distance:g} km : {int(fragile)} "
                f"(calcul n° {run.pk})"
            )
        self.stdout.write(
            f"Zones blanches ({int((~coverage.covered).sum())} communes), par population fragile non couverte :"
        )
        for row in coverage.white_zones(limit):
            self.stdout.write(
                f"  {row['code']} {row['nom']:<30} {row['population']:>7} hab.  "
                f"fragile {row['population_fragile']:>7}  "
                f"lieu le plus proche : {row['distance_km'] if row['distance_km'] is not None else '—'} km"
            )
        self.stdout.write("Densité par EPCI (lieux / 10 000 hab., heures / semaine / 1 000 hab.) :")
        for item in selectors.epci_densities(ref):
            self.stdout.write(
                f"  {item.code} {item.nom[:40]:<40} {item.places:>4} lieux  "
                f"{item.places_per_10000}  {item.hours_per_1000}"
            )
        if output:
            rows = coverage.rows()
            with open(output, "w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["code"])
                writer.writeheader()
                writer.writerows(rows)
            self.stdout.write(f"écrit : {output}")

    # --- sensitivity -----------------------------------------------------------------------------

    def handle_sensitivity(self, *, territoire, calcul, method, inputs, **options):
        ref = self._territory(territoire)
        run = selectors.run_for_territory(ref, calcul)
        if run is None:
            raise CommandError("Aucun calcul d'indice pour ce territoire : maillage diagnosis compute … --store.")
        matrix = selectors.commune_matrix(run, ref)
        report = variants.sensitivity(matrix)
        self.stdout.write(f"{run.method_label} (calcul n° {run.pk}), {len(matrix.codes)} communes de {ref}")
        if report.territory_total is not None:
            self.stdout.write(f"Score du territoire (pondéré) : {report.territory_total:.3f}")
        self.stdout.write("Sans un indicateur :")
        for item in report.leave_one_out:
            self.stdout.write(f"  sans {item['libelle']:<40} {item['total_sans']:.3f} ({item['ecart']:+.3f})")
        self.stdout.write("Communes changeant de classe de risque si un indicateur bouge d'une classe :")
        for item in report.one_class_move:
            self.stdout.write(f"  {item['libelle']:<40} {item['part']:.1%}")
        self.stdout.write(f"  au moins un indicateur : {report.any_one_class_move:.1%}")
        self.stdout.write(
            f"Poids ±{report.weight_spread:.0%} ({report.weight_draws} tirages) : "
            f"{report.weight_mean_changed:.1%} des communes "
            f"changent de classe en moyenne ; {report.weight_changed_share:.1%} dans au moins 5 % des tirages."
        )
        if inputs and method:
            try:
                chosen = load_method(method)
                raw = engine.load_raw_inputs(chosen, Path(inputs))
            except (ValidationError, engine.InputError) as error:
                raise CommandError(str(error)) from error
            self.stdout.write("Bornes des déciles (valeurs brutes) et part des IRIS à moins de 0,5 d'une borne :")
            for j, indicator in enumerate(chosen.indicators):
                values = raw.raw[:, j]
                cuts = engine.decile_boundaries(values)
                near = variants.share_near_boundaries(values, cuts, 0.5)
                shown = " ".join(f"{cut:.3g}" for cut in cuts)
                self.stdout.write(f"  {indicator.label:<40} {shown}  ({near:.0%})")
            self.stdout.write("Bornes des déciles déplacées (part des IRIS changeant de classe) :")
            for j, indicator in enumerate(chosen.indicators):
                shifts = [
                    variants.boundary_shift_changes(raw.raw[:, j], shift) for shift in (-0.01, 0.01, -0.02, 0.02)
                ]
                self.stdout.write(
                    f"  {indicator.label:<40} ±1 % : {max(shifts[0], shifts[1]):.1%}   "
                    f"±2 % : {max(shifts[2], shifts[3]):.1%}"
                )

    def handle_variant(self, *, territoire, calcul, retirer, ajouter, poids, output, **options):
        ref = self._territory(territoire)
        run = selectors.run_for_territory(ref, calcul)
        if run is None:
            raise CommandError("Aucun calcul d'indice pour ce territoire : maillage diagnosis compute … --store.")
        matrix = selectors.commune_matrix(run, ref)
        dropped = {key.strip() for key in retirer.split(",") if key.strip()}
        added = [key.strip() for key in ajouter.split(",") if key.strip()]
        unknown = (dropped - set(matrix.indicators)) | (set(added) - set(variants.MAILLAGE_INDICATORS))
        if unknown:
            raise CommandError(f"Indicateur(s) inconnu(s) : {', '.join(sorted(unknown))}")
        weights = {key: (0.0 if key in dropped else 1.0) for key in matrix.indicators}
        for item in filter(None, (part.strip() for part in poids.split(","))):
            key, _, value = item.partition("=")
            try:
                weights[key.strip()] = float(value)
            except ValueError as error:
                raise CommandError(f"Poids illisible : {item} (attendu : indicateur=nombre)") from error
        extra = {key: selectors.maillage_indicator(key, matrix.codes) for key in added}
        for key in added:
            weights.setdefault(key, 1.0)
        result = variants.compare(
            matrix, matrix.total(), variants.variant_totals(matrix, weights=weights, extra=extra)
        )
        rho = "non calculable" if result.spearman is None else f"{result.spearman:.3f}"
        self.stdout.write(f"{run.method_label} (calcul n° {run.pk}), {result.compared} communes de {ref}")
        self.stdout.write(f"Corrélation des rangs (Spearman) : {rho}")
        self.stdout.write(f"Communes changeant de classe de risque : {result.changed} ({result.changed_share:.1%})")
        if result.official_mean is not None and result.variant_mean is not None:
            self.stdout.write(
                f"Score du territoire : officiel {result.official_mean:.3f}, variante {result.variant_mean:.3f}"
            )
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(result.rows[0]) if result.rows else ["code"])
                writer.writeheader()
                writer.writerows(result.rows)
            self.stdout.write(f"écrit : {output}")

    def handle_delete(self, *, run_id, yes, **options):
        run = IndexRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"Calcul n° {run_id} introuvable.")
        if not yes:
            raise CommandError(f"Suppression du calcul n° {run_id} ({run}) : relancez avec --yes pour confirmer.")
        with command_run():
            services.index_run_delete(actor=None, run=run)
        self.stdout.write(f"Calcul n° {run_id} supprimé.")
