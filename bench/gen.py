#!/usr/bin/env python3
"""Generate a Laravel-shaped repository for benchmarking vestige, of one of two data sets.

    python3 bench/gen.py --size medium                    # writes bench/trees/synthetic/medium/
    python3 bench/gen.py --dataset real --size large      # writes bench/trees/real/large/
    python3 bench/gen.py --size small --verify            # and re-counts every hit from disk

Standard library only, and deterministic: the same seed, size and version of these scripts (and
of bench/data/ for the real set) give byte-identical trees on any machine.

- synthetic: this script's own entity names and templates; tokens are planted (see below).
- real: filler and tokens drawn from a real Laravel application's vocabulary (bench/gen_real.py,
  from bench/data/, derived by bench/vocab.py); the same file layout.

Layout of bench/trees/<data set>/<size>/:

    tree/                     the repository: app/, database/, resources/, routes/ (scanned),
                              vendor/, storage/ (excluded), a .gitignore and the files it ignores
    vestige-N-MODE-CASE.toml  rule files for the token sets of N = 10, 100, 1,000 and 10,000
                              tokens, MODE word or part, CASE cs (case-sensitive) or ci
    tokens-N-MODE.txt         the same tokens, one per line, for `rg -F -f` (word mode)
    in-scope.txt              the files vestige must scan
    manifest.json             sizes, and the expected number of hits of every rule file

How the expected counts are known. bench/count.py counts every rule file's hits in every in-scope
file as it is written, from vestige's documented matching rules (not its code); `--verify`
re-counts them from the files on disk. On the synthetic set the word-mode, case-sensitive count
must also equal the count of planted tokens, known by construction: every token is an identifier
([A-Za-z0-9_]+), so a word-bounded occurrence of a token is exactly a maximal run of identifier
bytes that equals it. The background text never produces a token: absent tokens always contain
a word from RESERVED, which no template, word list or derived name uses, and the planted tokens
are checked against every name the background derives from its entities. Tokens appear only
where the generator plants them, one counted placeholder at a time. The small tree is always
re-counted the slow way (a regex over every in-scope file) to prove it. The token sets of 10,
100 and 1,000 are the ones this script always made; 10,000 adds absent names.

Planted tokens also go into files that must be skipped (vendor/, storage/, resources/views/vendor/,
git-ignored files, hidden files); those are counted separately in the manifest. Near misses
(`InventorySyncRunner`, `$legacyInventorySyncRun`, `_archive_backup_schedule_runs`,
`BackupScheduleRunsX`, ...) go next to them and must never be reported in word mode (they are
hits in part mode, and count.py counts them there).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import sys
import time
from collections import Counter
from multiprocessing import Pool

import count
import gen_real

# Bump when the output changes in a way the script's hash would not show (it always does).
FORMAT_VERSION = 1

# name -> (in-scope files, in-scope bytes)
SIZES = {
    "small": (1_000, 10_000_000),
    "medium": (20_000, 200_000_000),
    "large": (100_000, 1_000_000_000),
}

SCAN_ROOTS = ["app", "database", "resources", "routes"]
SCAN_EXCLUDE = ["vendor/", "storage/"]
SET_SIZES = [10, 100, 1000]
# Every token set of the benchmark: SET_SIZES, and 10,000 (made apart so that the others stay
# as they were). Each in word and part mode, case-sensitive and not.
ALL_SET_SIZES = [10, 100, 1000, 10_000]
MODES = ["word", "part"]
# How many planted tokens each set holds (nested: the 10-set is in the 100-set, and so on).
PLANTED_PER_SET = {10: 5, 100: 10, 1000: 20}

# ---------------------------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------------------------

# First words of entity names, and module names.
PREFIXES = """Tenant Device Policy Compliance Audit Billing Invoice Payment Subscription Customer
Contact Report Notification Webhook Integration Directory License Asset Inventory Backup Restore
Schedule Security Identity Role Permission Team Workspace Project Task Ticket Alert Incident Metric
Dashboard Export Import Config Setting Template Document Mailbox Calendar Group Member Profile
Session Token Credential Certificate Domain Region Location Catalog Product Order Shipment
Warehouse Supplier Operation Entra Intune Graph Conditional Application Service Provider Workflow
Approval Review Retention Archive Quarantine Threat Vulnerability Patch Update Enrollment""".split()

# Second words of entity names.
NOUNS = """Item Record Entry Snapshot Event Log Status Type Category Rule Assignment Mapping Link
Note Comment Attachment Version Revision Batch Step Result Summary Detail Line Share Quota Limit
Channel Source Target Filter View Widget Option Preference Tag Label Window Plan Stage Check
Finding Baseline Drift Run Set Policy Group Owner Scope Setting Report Export Request""".split()

VERBS = """resolve sync handle build load refresh prune dispatch apply compute collect format persist
validate normalize schedule record notify summarize transform reconcile hydrate guard assign
archive restore compare merge""".split()

JOB_VERBS = """Sync Process Prune Refresh Dispatch Import Export Reconcile Notify Rebuild Capture
Evaluate""".split()

COLUMNS = """status name display_name external_id tenant_id user_id started_at finished_at
created_by payload summary error_message attempts type priority due_at last_seen_at description
settings metadata platform version checksum is_enabled is_default sort_order parent_id
workspace_id policy_id device_id group_id scope_tags assigned_at reviewed_at approved_by
expires_at retention_days region locale currency amount quantity notes source target
correlation_id context outcome severity category fingerprint""".split()

PROSE = """the a this that run is was will be kept only when after before until once all each
tenant policy sync backup schedule operation status record job queue retry failed done pending
cleanup phase migration table column index legacy canonical viewer page list widget badge
resource filter we must should not never always keep drop move read write update create delete
check guard because otherwise later now here there why how note see also todo fixme hack
Übergangslösung prüfen größer später Änderung zurück für""".split()

# reserved-begin: words that only the absent tokens use. Nothing else in this script may contain
# them, which check_vocabulary() asserts.
RESERVED = """Payroll Timesheet Escrow Dunning Rebate Voucher Loyalty Referral Affiliate Commission
Roster Fleet Telematics Courier Parcel Freight Tariff Kiosk Pantry Recipe Lodging Chalet
Mortgage Annuity Pension Gratuity Sommelier Vineyard Harvest Orchard Greenhouse Tractor Livestock
Fishery Quarry Bakery""".split()
# reserved-end

ABSENT_SUFFIXES = """Run Runs Export Import Snapshot Record Entry Batch Job Resource Controller
Policy Observer Factory Seeder Service Repository Request Event Listener Notification Mail Widget
Page RelationManager StatusBadge Status Summary Report Log""".split()

ABSENT_PAGE_PREFIXES = ["List", "View", "Edit", "Create", "Manage"]

# The planted tokens, most important first. The 10-set takes the first 5, the 100-set the first
# 10, the 1000-set all 20. Weights set how often each is planted.
PLANTED = [
    ("InventorySyncRun", 10),
    ("inventory_sync_runs", 8),
    ("EntraGroupSyncRun", 6),
    ("backup_schedule_runs", 6),
    ("BulkOperationRun", 4),
    ("entra_group_sync_runs", 5),
    ("BackupScheduleRun", 6),
    ("bulk_operation_runs", 3),
    ("InventorySyncRunResource", 3),
    ("ListInventorySyncRuns", 2),
    ("ViewInventorySyncRun", 2),
    ("InventorySyncRunFactory", 2),
    ("InventorySyncRunStatusBadge", 2),
    ("EntraGroupSyncRunResource", 2),
    ("BackupScheduleRunsRelationManager", 2),
    ("BulkOperationRunResource", 1),
    ("EntraGroupSyncRunPolicy", 1),
    ("BackupScheduleRunObserver", 1),
    ("BulkOperationRunStatus", 1),
    ("InventorySyncRunService", 1),
]

# Identifiers that contain a planted token but are not one: never a hit in word mode.
NEAR_MISS_PHP = [
    "        $legacyInventorySyncRun = $this->runner->last(); // InventorySyncRunner retries it",
    "        Schema::dropIfExists('_archive_backup_schedule_runs');",
    "        $shim = BackupScheduleRunsX::make($tenant);",
    "        $inventorySyncRuns = collect(); // not the model, just the ids",
    "        return new InventorySyncRunner($this->graph, $this->logger);",
    "        $entraGroupSyncRunId = $payload['entra_group_sync_run_id'] ?? null;",
    "        DB::table('inventory_sync_runs_archive')->where('tenant_id', $tenantId)->delete();",
    "            'bulk_operation_runs2' => 'retired',",
    "        $url = route('filament.admin.resources.inventory-sync-runs.index');",
    "        // BulkOperationRunV2 and EntraGroupSyncRunner replace the old tracking.",
    "        $label = __('InventorySyncRuns.heading'); // inventorysyncrun, lower case on purpose",
    "        $page = ListInventorySyncRunsPage::class;",
    "        $old = $this->legacyBackupScheduleRun ?? $this->backupScheduleRunId;",
    "        $table->dropForeign('old_backup_schedule_runs_tenant_id_foreign');",
    "        event(new EntraGroupSyncRunFinished($run)); // EntraGroupSyncRuns count is gone",
    "        $x = MyBulkOperationRun::from($operation);",
]

NEAR_MISS_BLADE = [
    "    <a href=\"{{ route('filament.admin.resources.inventory-sync-runs.index') }}\">{{ $legacyInventorySyncRun?->id }}</a>",
    "    @include('partials.backup-schedule-runs-x', ['runs' => $backupScheduleRuns])",
    "    {{-- InventorySyncRunner output, see _archive_backup_schedule_runs --}}",
    "    <span>{{ $entraGroupSyncRunLabel }}</span>",
    "    <x-legacy.bulk-operation-run :run=\"$bulkOperationRunX\" />",
    "    @if ($inventorySyncRunsCount > 0) <p>{{ BackupScheduleRunsX::label() }}</p> @endif",
]

# Snippets that plant one token. {T} is the token; every {T} is one expected hit.
PLANT_PHP_CLASS = [
    "        $run = {T}::query()->where('tenant_id', $tenant->getKey())->latest('id')->first();",
    "        return $this->hasMany({T}::class, 'tenant_id');",
    "        // TODO(spec-087): replace {T} with OperationRun once the backfill has run.",
    "        $failed = {T}::where('status', 'failed')->count(); // {T} still feeds this widget",
    "        if ($record instanceof {T}) { return null; }",
    "        /** @var \\App\\Models\\{T} $record */",
    "            '{T}' => OperationRun::class,",
    "        // Übergangslösung: „{T}“ wird weiter geschrieben, bis Phase 4 greift.",
    "        throw new \\LogicException('{T} is read-only since the cutover');",
    "        $class = \\App\\Models\\{T}::class;",
    "        $legacyInventorySyncRun = {T}::find($id); // InventorySyncRunner is fine",
]
PLANT_PHP_TABLE = [
    "        Schema::table('{T}', fn (Blueprint $table) => $table->index('tenant_id'));",
    "        $rows = DB::table('{T}')->whereNull('finished_at')->get();",
    "            ->join('{T}', '{T}.tenant_id', '=', 'tenants.id')",
    "        $query->from('{T}');",
    "        // reads {T}.status until the cutover (see spec 087)",
    "            $table->foreignId('legacy_run_id')->nullable()->constrained('{T}')->nullOnDelete();",
    "        $c = DB::selectOne('select count(*) as c from {T} where tenant_id = ?', [$tenant->id])->c;",
    "        Schema::dropIfExists('_archive_backup_schedule_runs'); DB::table('{T}')->truncate();",
]
PLANT_PHP_HEADER = [
    "use App\\Models\\{T};",
    "use App\\Support\\Legacy\\{T};",
]
PLANT_BLADE_CLASS = [
    "    @foreach (\\App\\Models\\{T}::query()->latest()->limit(5)->get() as $run)\n        <li>{{ $run->status }}</li>\n    @endforeach",
    "    {{-- {T} list kept until Phase 4 --}}",
    "    @can('viewAny', \\App\\Models\\{T}::class)\n        <x-filament::link href=\"#\">{{ __('Runs') }}</x-filament::link>\n    @endcan",
]
PLANT_BLADE_TABLE = [
    "    <span data-table=\"{T}\">{{ __('legacy.{T}.label') }}</span>",
    "    {{-- reads {T} directly; move to OperationRun --}}",
]

COL_MODS = ["", "->nullable()", "->after('id')"]

CSS = ["flex items-center gap-2", "grid grid-cols-2 gap-4", "text-sm text-gray-500",
       "rounded-xl border p-4", "space-y-2", "font-medium text-gray-950 dark:text-white",
       "fi-section", "mt-6 flex justify-end"]


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    return _SNAKE.sub("_", name).lower()


def kebab(name: str) -> str:
    return snake(name).replace("_", "-")


def camel(name: str) -> str:
    return name[0].lower() + name[1:]


class Entity:
    """A model and every name the background derives from it."""

    __slots__ = ("cls", "plural", "table", "var", "vars", "kebab", "snake")

    def __init__(self, cls: str):
        self.cls = cls
        self.plural = plural(cls)
        self.table = snake(self.plural)
        self.snake = snake(cls)
        self.var = camel(cls)
        self.vars = camel(self.plural)
        self.kebab = kebab(self.plural)

    def derived(self) -> list[str]:
        c, p = self.cls, self.plural
        names = [c, p, self.table, self.snake, self.var, self.vars, self.snake + "_id",
                 c + "Controller", c + "Resource", c + "Service", c + "Factory", c + "Policy",
                 "List" + p, "Create" + c, "Edit" + c, "View" + c, p + "RelationManager"]
        names += [v + c + "Job" for v in JOB_VERBS]
        return names


def all_entities() -> list[Entity]:
    out = []
    for p in PREFIXES:
        for n in NOUNS:
            if p != n:
                out.append(Entity(p + n))
    return out


def absent_tokens(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """Realistic names for code that is being removed but is not in the tree."""
    out: list[str] = []
    seen = set(taken)
    while len(out) < count:
        kind = rng.random()
        b = rng.choice(RESERVED)
        if kind < 0.30:  # snake_case table
            words = [b, rng.choice(NOUNS)]
            if rng.random() < 0.5:
                words.insert(0, rng.choice(PREFIXES))
            words[-1] = plural(words[-1])
            tok = "_".join(snake(w) for w in words)
        elif kind < 0.45:  # Filament page
            tok = rng.choice(ABSENT_PAGE_PREFIXES) + b + plural(rng.choice(NOUNS))
        else:  # PascalCase class, half of them starting with a common word
            head = rng.choice(PREFIXES) + b if rng.random() < 0.5 else b + rng.choice(NOUNS)
            tok = head + rng.choice(ABSENT_SUFFIXES)
        if tok not in seen:
            seen.add(tok)
            out.append(tok)
    return out


# ---------------------------------------------------------------------------------------------
# File contents
# ---------------------------------------------------------------------------------------------

class Ctx:
    """What one file is about: its entity, and a few related ones to mention."""

    def __init__(self, r: random.Random, ent: Entity, others: list[Entity]):
        self.r = r
        self.e = ent
        self.others = others

    def o(self) -> Entity:
        return self.r.choice(self.others)

    def prose(self, lo: int = 4, hi: int = 12) -> str:
        r = self.r
        return " ".join(r.choice(PROSE) for _ in range(r.randint(lo, hi)))

    def col(self) -> str:
        return self.r.choice(COLUMNS)

    def method(self) -> str:
        return self.r.choice(VERBS) + self.r.choice(NOUNS)


def php_line(c: Ctx) -> str:
    r = c.r
    e = c.e
    k = r.randrange(14)
    if k == 0:
        o = c.o()
        return f"        ${o.var} = {o.cls}::query()->where('{c.col()}', ${e.var}->{c.col()})->{r.choice(['first', 'get', 'count', 'exists'])}();"
    if k == 1:
        return f"        $this->{camel(r.choice(NOUNS))} = ${e.var}->{c.col()};"
    if k == 2:
        return f"        if (${e.var}->{c.col()} === null) {{\n            return {r.choice(['null', 'false', '[]', '$this'])};\n        }}"
    if k == 3:
        return f"        // {c.prose()}"
    if k == 4:
        return f"        Log::{r.choice(['info', 'warning', 'debug'])}('{c.prose(3, 7)}', ['{c.col()}' => ${e.var}->{c.col()}]);"
    if k == 5:
        return f"        ${e.var}->update(['{c.col()}' => now(), '{c.col()}' => {r.choice(['null', 'true', '0', '$value'])}]);"
    if k == 6:
        o = c.o()
        return f"        $items = collect(${o.vars})->map(fn ({o.cls} $item) => $item->{c.col()})->filter()->values();"
    if k == 7:
        return f"        throw_if(! ${e.var}->exists, new \\RuntimeException('{c.prose(3, 8)}'));"
    if k == 8:
        return f"        $payload = ['tenant_id' => $tenant->getKey(), '{c.col()}' => ${e.var}->{c.col()}, 'type' => '{e.snake}'];"
    if k == 9:
        o = c.o()
        return f"        DB::table('{o.table}')->where('{c.col()}', $value)->update(['{c.col()}' => null]);"
    if k == 10:
        o = c.o()
        return f"        ${o.var} = app({o.cls}Service::class)->{c.method()}(${e.var}, ${o.var} ?? null);"
    if k == 11:
        return f"        foreach (${e.vars} as ${e.var}) {{\n            $this->{c.method()}(${e.var});\n        }}"
    if k == 12:
        o = c.o()
        return f"        return $this->{r.choice(['belongsTo', 'hasMany', 'hasOne', 'morphMany'])}({o.cls}::class);"
    return f"        ${camel(r.choice(NOUNS))} = ${e.var}->{c.col()} ?? '{r.choice(PROSE)}';"


def php_method(c: Ctx, out: list[str]) -> None:
    r = c.r
    vis = r.choice(["public", "public", "protected", "private"])
    o = c.o()
    ret = r.choice(["void", "?" + o.cls, "array", "bool", "int", "static", "Collection"])
    out.append(f"    /**\n     * {c.prose(6, 14)}\n     */")
    out.append(f"    {vis} function {c.method()}({o.cls} ${o.var}, array $options = []): {ret}")
    out.append("    {")
    for _ in range(r.randint(3, 14)):
        out.append(php_line(c))
    out.append("    }")
    out.append("")


def php_file(c: Ctx, ns: str, decl: str, uses: list[str], target: int,
             header_plants: list[str], body_plants: list[str], props: list[str]) -> str:
    r = c.r
    head = ["<?php", "", "declare(strict_types=1);", "", f"namespace {ns};", ""]
    uses = list(uses)
    for _ in range(r.randint(2, 8)):
        o = c.o()
        uses.append(r.choice([f"App\\Models\\{o.cls}", f"App\\Services\\{o.cls}Service",
                              f"App\\Jobs\\{r.choice(JOB_VERBS)}{o.cls}Job"]))
    lines = [f"use {u};" for u in sorted(set(uses))]
    for p in header_plants:
        lines.insert(r.randint(0, len(lines)), p)
    head += lines
    head += ["", "/**", f" * {c.prose(8, 16)}", " */", decl, "{"]
    head += props
    head.append("")
    body: list[list[str]] = []
    size = sum(len(x) + 1 for x in head)
    while size < target or (body_plants and not body):
        m: list[str] = []
        php_method(c, m)
        size += sum(len(x) + 1 for x in m)
        body.append(m)
    for p in body_plants:
        m = r.choice(body)
        m.insert(r.randint(3, len(m) - 2), p)
    lines = head
    for m in body:
        lines.extend(m)
    lines.append("}")
    return "\n".join(lines) + "\n"


def model_file(c: Ctx, module: str, target: int, hp, bp) -> str:
    e = c.e
    props = [
        f"    protected $table = '{e.table}';",
        "",
        "    protected $fillable = [" + ", ".join(f"'{c.col()}'" for _ in range(6)) + "];",
        "",
        "    protected $casts = [" + ", ".join(f"'{c.col()}' => '{c.r.choice(['array', 'datetime', 'boolean', 'integer'])}'" for _ in range(4)) + "];",
    ]
    return php_file(c, f"App\\Models\\{module}", f"class {e.cls} extends Model",
                    ["Illuminate\\Database\\Eloquent\\Model", "Illuminate\\Database\\Eloquent\\Factories\\HasFactory",
                     "Illuminate\\Database\\Eloquent\\Relations\\BelongsTo"], target, hp, bp,
                    ["    use HasFactory;", ""] + props)


def controller_file(c: Ctx, module: str, target: int, hp, bp) -> str:
    e = c.e
    return php_file(c, f"App\\Http\\Controllers\\{module}", f"class {e.cls}Controller extends Controller",
                    ["App\\Http\\Controllers\\Controller", "Illuminate\\Http\\Request",
                     "Illuminate\\Support\\Facades\\Gate", f"App\\Models\\{e.cls}"], target, hp, bp,
                    [f"    public function __construct(private readonly {e.cls}Service $service) {{}}"])


def job_file(c: Ctx, module: str, name: str, target: int, hp, bp) -> str:
    e = c.e
    return php_file(c, f"App\\Jobs\\{module}", f"final class {name} implements ShouldQueue",
                    ["Illuminate\\Contracts\\Queue\\ShouldQueue", "Illuminate\\Bus\\Queueable",
                     "Illuminate\\Queue\\InteractsWithQueue", "Illuminate\\Support\\Facades\\Log",
                     f"App\\Models\\{e.cls}"], target, hp, bp,
                    ["    use InteractsWithQueue, Queueable;", "",
                     f"    public int $tries = {c.r.randint(1, 5)};", "",
                     f"    public function __construct(public readonly int ${e.var}Id) {{}}"])


def service_file(c: Ctx, module: str, target: int, hp, bp) -> str:
    e = c.e
    return php_file(c, f"App\\Services\\{module}", f"class {e.cls}Service",
                    ["Illuminate\\Support\\Facades\\DB", "Illuminate\\Support\\Collection",
                     f"App\\Models\\{e.cls}"], target, hp, bp, [])


def resource_file(c: Ctx, target: int, hp, bp) -> str:
    e = c.e
    r = c.r
    props = [f"    protected static ?string $model = {e.cls}::class;", "",
             f"    protected static ?string $navigationIcon = 'heroicon-o-{r.choice(['rectangle-stack', 'clock', 'shield-check', 'server'])}';",
             "", "    public static function form(Form $form): Form", "    {", "        return $form->schema(["]
    for _ in range(r.randint(4, 14)):
        props.append(f"            Forms\\Components\\{r.choice(['TextInput', 'Select', 'Toggle', 'DateTimePicker', 'Textarea'])}::make('{c.col()}')->{r.choice(['required()', 'maxLength(255)', 'native(false)', 'columnSpanFull()'])},")
    props += ["        ]);", "    }", "", "    public static function table(Table $table): Table", "    {",
              "        return $table->columns(["]
    for _ in range(r.randint(4, 12)):
        props.append(f"            Tables\\Columns\\TextColumn::make('{c.col()}')->{r.choice(['sortable()', 'searchable()', 'badge()', 'since()', 'toggleable()'])},")
    props += ["        ]);", "    }"]
    return php_file(c, "App\\Filament\\Resources", f"class {e.cls}Resource extends Resource",
                    ["Filament\\Forms", "Filament\\Forms\\Form", "Filament\\Resources\\Resource", "Filament\\Tables",
                     "Filament\\Tables\\Table", f"App\\Models\\{e.cls}"], target, hp, bp, props)


def page_file(c: Ctx, page: str, base: str, target: int, hp, bp) -> str:
    e = c.e
    return php_file(c, f"App\\Filament\\Resources\\{e.cls}Resource\\Pages", f"class {page} extends {base}",
                    [f"App\\Filament\\Resources\\{e.cls}Resource", f"Filament\\Resources\\Pages\\{base}",
                     "Filament\\Actions"], target, hp, bp,
                    [f"    protected static string $resource = {e.cls}Resource::class;"])


def migration_file(c: Ctx, target: int, hp, bp) -> str:
    e = c.e
    r = c.r
    head = ["<?php", "", "use Illuminate\\Database\\Migrations\\Migration;",
            "use Illuminate\\Database\\Schema\\Blueprint;", "use Illuminate\\Support\\Facades\\Schema;",
            "use Illuminate\\Support\\Facades\\DB;"]
    for p in hp:
        head.append(p)
    head += ["", "return new class extends Migration", "{", "    public function up(): void", "    {",
             f"        Schema::create('{e.table}', function (Blueprint $table) {{", "            $table->id();",
             "            $table->foreignId('tenant_id')->constrained()->cascadeOnDelete();"]
    body: list[list[str]] = []
    size = sum(len(x) + 1 for x in head)
    cols = [f"            $table->{r.choice(['string', 'text', 'json', 'timestamp', 'boolean', 'unsignedInteger'])}('{c.col()}'){r.choice(['', '->nullable()', '->default(0)', '->index()'])};" for _ in range(r.randint(4, 12))]
    cols += ["            $table->timestamps();", "        });", ""]
    size += sum(len(x) + 1 for x in cols)
    while size < target:
        o = c.o()
        blk = [f"        // {c.prose()}", f"        Schema::table('{o.table}', function (Blueprint $table) {{"]
        for _ in range(r.randint(2, 8)):
            blk.append(f"            $table->{r.choice(['string', 'json', 'timestamp', 'index'])}('{c.col()}'){r.choice(COL_MODS)};")
        blk += ["        });",
                f"        DB::table('{o.table}')->whereNull('{c.col()}')->update(['{c.col()}' => {r.choice(['null', '0', 'now()'])}]);", ""]
        size += sum(len(x) + 1 for x in blk)
        body.append(blk)
    if not body:
        body.append([])
    for p in bp:
        r.choice(body).insert(0, p)
    lines = head + cols
    for b in body:
        lines.extend(b)
    lines += ["    }", "", "    public function down(): void", "    {", f"        Schema::dropIfExists('{e.table}');", "    }", "};"]
    return "\n".join(lines) + "\n"


def blade_file(c: Ctx, target: int, bp: list[str]) -> str:
    e = c.e
    r = c.r
    lines = [f"<x-filament-panels::page class=\"{r.choice(CSS)}\">",
             f"    {{{{-- {c.prose()} --}}}}"]
    blocks: list[list[str]] = []
    size = sum(len(x) + 1 for x in lines)
    while size < target:
        o = c.o()
        b = [f"    <section class=\"{r.choice(CSS)}\">",
             f"        <h2 class=\"{r.choice(CSS)}\">{{{{ __('{o.snake}.{c.col()}') }}}}</h2>"]
        k = r.randrange(4)
        if k == 0:
            b += [f"        @foreach (${o.vars} as ${o.var})",
                  f"            <x-filament::link :href=\"route('{o.kebab}.show', ${o.var})\">{{{{ ${o.var}->{c.col()} }}}}</x-filament::link>",
                  f"            <span class=\"{r.choice(CSS)}\">{{{{ ${o.var}->{c.col()}?->diffForHumans() }}}}</span>",
                  "        @endforeach"]
        elif k == 1:
            b += [f"        @if (${e.var}->{c.col()})", f"            <p class=\"{r.choice(CSS)}\">{c.prose(6, 16)}</p>",
                  "        @else", f"            <p>{{{{ __('{c.prose(2, 5)}') }}}}</p>", "        @endif"]
        elif k == 2:
            b += [f"        @include('{e.kebab}.partials.{r.choice(['row', 'header', 'filters', 'empty'])}', ['{o.var}' => ${o.var}])",
                  f"        <livewire:{o.kebab}-table :tenant=\"$tenant\" :key=\"'{o.snake}-' . ${e.var}->id\" />"]
        else:
            b += ["        <dl class=\"grid grid-cols-2\">"]
            for _ in range(r.randint(2, 6)):
                col = c.col()
                b += [f"            <dt>{{{{ __('{col}') }}}}</dt>", f"            <dd>{{{{ ${e.var}->{col} ?? '—' }}}}</dd>"]
            b += ["        </dl>"]
        b += [f"        {{{{-- {c.prose()} --}}}}", "    </section>"]
        size += sum(len(x) + 1 for x in b)
        blocks.append(b)
    if not blocks:
        blocks.append([])
    for p in bp:
        blk = r.choice(blocks)
        blk.insert(r.randint(1, len(blk) - 1) if len(blk) > 1 else 0, p)
    for b in blocks:
        lines.extend(b)
    lines.append("</x-filament-panels::page>")
    return "\n".join(lines) + "\n"


def routes_file(c: Ctx, target: int, hp, bp) -> str:
    r = c.r
    head = ["<?php", "", "use Illuminate\\Support\\Facades\\Route;"]
    head += hp
    blocks: list[list[str]] = []
    size = sum(len(x) + 1 for x in head)
    while size < target:
        o = c.o()
        b = [f"// {c.prose()}", f"Route::middleware(['auth', 'tenant'])->prefix('{o.kebab}')->name('{o.kebab}.')->group(function () {{"]
        for act in ["index", "show", "store", "update", "destroy"][: r.randint(2, 5)]:
            verb = {"index": "get", "show": "get", "store": "post", "update": "put", "destroy": "delete"}[act]
            uri = "/" if act in ("index", "store") else "/{" + o.var + "}"
            b.append(f"    Route::{verb}('{uri}', [App\\Http\\Controllers\\{o.cls}Controller::class, '{act}'])->name('{act}');")
        b += ["});", ""]
        size += sum(len(x) + 1 for x in b)
        blocks.append(b)
    if not blocks:
        blocks.append([])
    for p in bp:
        r.choice(blocks).insert(0, p)
    lines = head + [""]
    for b in blocks:
        lines.extend(b)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Planning: which files exist, how big, what is planted where
# ---------------------------------------------------------------------------------------------

IN_SCOPE_MIX = [  # kind, share of the in-scope files
    ("model", 0.10), ("controller", 0.12), ("job", 0.09), ("service", 0.07),
    ("filament", 0.25), ("migration", 0.10), ("view", 0.26), ("route", 0.01),
]


def draw_sizes(r: random.Random, n: int, total: int) -> list[int]:
    """Mostly 2-20 KB (log-uniform), 2% of files 50-400 KB, scaled to `total` bytes."""
    raw = []
    for _ in range(n):
        if r.random() < 0.02:
            raw.append(50_000 * 8 ** r.random())
        else:
            raw.append(2_000 * 10 ** r.random())
    scale = total / sum(raw)
    return [max(600, int(x * scale)) for x in raw]


class Planner:
    def __init__(self, seed: int, n_files: int, n_bytes: int):
        self.r = random.Random(f"plan:{seed}:{n_files}:{n_bytes}")
        self.seed = seed
        self.ents = all_entities()
        self.modules = PREFIXES
        self.used: set[str] = set()
        self.specs: list[dict] = []

    def unique(self, make) -> tuple:
        """A fresh draw of `make` whose path (first item) is not taken yet. Once the names run
        short (20 draws in vain), the file goes into a numbered subfolder, as big apps do."""
        for attempt in itertools.count():
            t = make()
            path = t[0]
            if attempt >= 20:
                head, _, name = path.rpartition("/")
                path = f"{head}/Part{attempt // 20}/{name}"
            if path not in self.used:
                self.used.add(path)
                return (path,) + tuple(t[1:])

    def add(self, path: str, kind: str, size: int, scope: str, **extra) -> None:
        self.specs.append(dict(path=path, kind=kind, size=size, scope=scope, **extra))

    def in_scope(self, n: int, total: int) -> None:
        r = self.r
        sizes = draw_sizes(r, n, total)
        counts = {k: int(n * s) for k, s in IN_SCOPE_MIX}
        counts["route"] = max(4, counts["route"])
        counts["view"] += n - sum(counts.values())
        kinds = [k for k, c in counts.items() for _ in range(c)]
        r.shuffle(kinds)
        # Filament resources come as a family: Resource.php plus pages in Resource/Pages/.
        pending_pages: list[tuple[str, str, str]] = []
        route_no = 0
        for kind, size in zip(kinds, sizes):
            ent = r.choice(self.ents)
            mod = r.choice(self.modules)
            if kind == "model":
                path, ent = self.unique(lambda: (f"app/Models/{(m := r.choice(self.modules))}/{(e := r.choice(self.ents)).cls}.php", e))
                self.add(path, kind, size, "in", ent=ent.cls, module=path.split("/")[2])
            elif kind == "controller":
                path, ent = self.unique(lambda: (f"app/Http/Controllers/{r.choice(self.modules)}/{(e := r.choice(self.ents)).cls}Controller.php", e))
                self.add(path, kind, size, "in", ent=ent.cls, module=path.split("/")[3])
            elif kind == "job":
                path, ent, name = self.unique(lambda: (f"app/Jobs/{r.choice(self.modules)}/{(nm := r.choice(JOB_VERBS) + (e := r.choice(self.ents)).cls + 'Job')}.php", e, nm))
                self.add(path, kind, size, "in", ent=ent.cls, module=path.split("/")[2], name=name)
            elif kind == "service":
                path, ent = self.unique(lambda: (f"app/Services/{r.choice(self.modules)}/{(e := r.choice(self.ents)).cls}Service.php", e))
                self.add(path, kind, size, "in", ent=ent.cls, module=path.split("/")[2])
            elif kind == "filament":
                if pending_pages:
                    path, cls, page = pending_pages.pop()
                    base = {"List": "ListRecords", "Create": "CreateRecord", "Edit": "EditRecord", "View": "ViewRecord"}[page[:4] if page[:4] in ("List", "Edit", "View") else "Create"]
                    self.add(path, "page", size, "in", ent=cls, page=page, base=base)
                else:
                    path, ent = self.unique(lambda: (f"app/Filament/Resources/{(e := r.choice(self.ents)).cls}Resource.php", e))
                    self.add(path, "resource", size, "in", ent=ent.cls)
                    d = path.removesuffix(".php") + "/Pages"
                    for page in ["List" + ent.plural, "Create" + ent.cls, "Edit" + ent.cls, "View" + ent.cls]:
                        if r.random() < 0.85:
                            pending_pages.append((f"{d}/{page}.php", ent.cls, page))
                    self.used.update(p for p, _, _ in pending_pages)
            elif kind == "migration":
                def mk():
                    e = r.choice(self.ents)
                    y, mo, d = r.randint(2019, 2026), r.randint(1, 12), r.randint(1, 28)
                    return (f"database/migrations/{y}_{mo:02d}_{d:02d}_{r.randint(0, 235959):06d}_create_{e.table}_table.php", e)
                path, ent = self.unique(mk)
                self.add(path, kind, size, "in", ent=ent.cls)
            elif kind == "view":
                path, ent = self.unique(lambda: (f"resources/views/{kebab(r.choice(self.modules))}/{(e := r.choice(self.ents)).kebab}/{r.choice(['index', 'show', 'edit', 'create', 'form', 'table', 'card', 'summary', 'widget', 'modal'])}.blade.php", e))
                self.add(path, kind, size, "in", ent=ent.cls)
            elif kind == "route":
                names = ["web", "api", "console", "channels"]
                path = f"routes/{names[route_no]}.php" if route_no < 4 else f"routes/modules/{kebab(self.modules[(route_no - 4) % len(self.modules)])}-{route_no}.php"
                route_no += 1
                self.used.add(path)
                self.add(path, "route", size, "in", ent=ent.cls)
        # Filament pages left over: turn them into views so the count stays exact.
        del pending_pages

    def out_of_scope(self, n: int) -> None:
        """Files that must never be scanned; their share of planted tokens is counted apart."""
        r = self.r
        groups = [
            ("vendor", max(50, n // 10)), ("storage", max(20, n // 30)),
            ("gitignored", max(10, n // 100)), ("orig", max(5, n // 300)),
            ("nested-vendor", max(10, n // 100)), ("hidden", max(3, n // 500)),
        ]
        for group, count in groups:
            sizes = draw_sizes(r, count, count * 8_000)
            for size in sizes:
                e = r.choice(self.ents)
                if group == "vendor":
                    pkg = r.choice(["acme/graph-sdk", "filament/filament", "laravel/framework", "spatie/laravel-data", "livewire/livewire"])
                    path, = self.unique(lambda: (f"vendor/{pkg}/src/{r.choice(self.modules)}/{r.choice(self.ents).cls}.php",))
                    kind = "vendor"
                elif group == "storage":
                    path, = self.unique(lambda: (f"storage/framework/views/{r.getrandbits(160):040x}.php",))
                    kind = "compiled"
                elif group == "gitignored":
                    path, = self.unique(lambda: (f"app/Generated/{r.choice(self.modules)}/{r.choice(self.ents).cls}Proxy.php",))
                    kind = "vendor"
                elif group == "orig":
                    path, = self.unique(lambda: (f"app/Models/{r.choice(self.modules)}/{r.choice(self.ents).cls}.php.orig",))
                    kind = "vendor"
                elif group == "nested-vendor":
                    path, = self.unique(lambda: (f"resources/views/vendor/{r.choice(['filament', 'mail', 'notifications', 'pagination'])}/{r.choice(self.ents).kebab}.blade.php",))
                    kind = "compiled"
                else:
                    path, = self.unique(lambda: (f"app/.phpstan/cache/{r.getrandbits(64):016x}.php",))
                    kind = "vendor"
                self.add(path, kind, size, group, ent=e.cls)

    def plant(self, tokens_by_name: dict[str, int]) -> None:
        """Attach planted tokens and near misses to files; count every planted placeholder."""
        r = self.r
        names = [t for t, _ in PLANTED]
        weights = [w for _, w in PLANTED]
        self.counts: dict[str, Counter] = {}
        in_scope = [s for s in self.specs if s["scope"] == "in"]
        n = len(in_scope)
        chosen = r.sample(in_scope, max(20, n * 3 // 100))
        for spec in chosen:
            spec.setdefault("hp", [])
            spec.setdefault("bp", [])
            for _ in range(r.choice([1, 1, 1, 2, 2, 3, 4, 6])):
                tok = r.choices(names, weights)[0]
                self._plant_one(spec, tok)
        # Every planted token at least once, in a random in-scope file.
        for tok in names:
            spec = r.choice(in_scope)
            spec.setdefault("hp", [])
            spec.setdefault("bp", [])
            self._plant_one(spec, tok)
        for spec in r.sample(in_scope, max(30, n * 6 // 100)) + chosen[: len(chosen) // 2]:
            spec.setdefault("bp", [])
            pool = NEAR_MISS_BLADE if spec["kind"] in ("view", "compiled") else NEAR_MISS_PHP
            for _ in range(r.randint(1, 3)):
                spec["bp"].append(r.choice(pool))
                self.counts.setdefault("near_misses", Counter())["lines"] += 1
        for spec in self.specs:
            if spec["scope"] != "in" and r.random() < 0.4:
                spec.setdefault("hp", [])
                spec.setdefault("bp", [])
                for _ in range(r.randint(1, 3)):
                    self._plant_one(spec, r.choices(names, weights)[0])

    def _plant_one(self, spec: dict, tok: str) -> None:
        r = self.r
        is_table = "_" in tok
        blade = spec["kind"] in ("view", "compiled")
        if blade:
            snippet = r.choice(PLANT_BLADE_TABLE if is_table else PLANT_BLADE_CLASS)
            spec["bp"].append(snippet.replace("{T}", tok))
        elif not is_table and r.random() < 0.3:
            snippet = r.choice(PLANT_PHP_HEADER)
            spec["hp"].append(snippet.replace("{T}", tok))
        else:
            snippet = r.choice(PLANT_PHP_TABLE if is_table else PLANT_PHP_CLASS)
            spec["bp"].append(snippet.replace("{T}", tok))
        self.counts.setdefault(spec["scope"], Counter())[tok] += snippet.count("{T}")


# ---------------------------------------------------------------------------------------------
# Rendering (in worker processes)
# ---------------------------------------------------------------------------------------------

_ENTS: dict[str, Entity] = {}
_ENT_LIST: list[Entity] = []


def _init_worker() -> None:
    global _ENTS, _ENT_LIST
    _ENT_LIST = all_entities()
    _ENTS = {e.cls: e for e in _ENT_LIST}


def render(spec: dict, seed: int) -> str:
    r = random.Random(f"file:{seed}:{spec['path']}")
    ent = _ENTS[spec["ent"]]
    others = r.sample(_ENT_LIST, 6)
    c = Ctx(r, ent, others)
    hp, bp, size, kind = spec.get("hp", []), spec.get("bp", []), spec["size"], spec["kind"]
    if kind == "model":
        return model_file(c, spec["module"], size, hp, bp)
    if kind == "controller":
        return controller_file(c, spec["module"], size, hp, bp)
    if kind == "job":
        return job_file(c, spec["module"], spec["name"], size, hp, bp)
    if kind == "service":
        return service_file(c, spec["module"], size, hp, bp)
    if kind == "resource":
        return resource_file(c, size, hp, bp)
    if kind == "page":
        return page_file(c, spec["page"], spec["base"], size, hp, bp)
    if kind == "migration":
        return migration_file(c, size, hp, bp)
    if kind in ("view", "compiled"):
        return blade_file(c, size, hp + bp)
    if kind == "route":
        return routes_file(c, size, hp, bp)
    if kind == "vendor":
        return php_file(c, "Acme\\Sdk\\" + r.choice(PREFIXES), f"class {ent.cls}", [], size, hp, bp, [])
    raise ValueError(kind)


# Set in the parent before the pool forks: the real data set's vocabulary and dilution, and the
# independent counter of every rule file's hits (bench/count.py).
_REAL: tuple | None = None
_COUNTER = None


def _write_chunk(args) -> tuple[int, int, list[int], Counter]:
    root, seed, specs = args
    if not _ENTS:
        _init_worker()
    made_dirs: set[str] = set()
    nbytes = 0
    totals = [0] * len(_COUNTER.configs)
    per_token: Counter = Counter()
    for spec in specs:
        if _REAL is None:
            text = render(spec, seed)
        else:
            text = gen_real.render(_REAL[0], spec, seed, _REAL[1])
        data = text.encode("utf-8")
        path = os.path.join(root, spec["path"])
        d = os.path.dirname(path)
        if d not in made_dirs:
            os.makedirs(d, exist_ok=True)
            made_dirs.add(d)
        with open(path, "wb") as f:
            f.write(data)
        if spec["scope"] == "in":
            nbytes += len(data)
            _COUNTER.count_text(text, totals, per_token)
    return len(specs), nbytes, totals, per_token


# ---------------------------------------------------------------------------------------------
# Checks of the word lists (cheap, run every time)
# ---------------------------------------------------------------------------------------------

def check_vocabulary(all_tokens: list[str]) -> None:
    # Every word list and template is in this file: all of it but the reserved block.
    with open(__file__, encoding="utf-8") as f:
        source = f.read()
    head, rest = source.split("# reserved-" + "begin", 1)
    low = (head + rest.split("# reserved-" + "end", 1)[1]).lower()
    for w in RESERVED:
        assert w.lower() not in low, f"reserved word {w} is used elsewhere"
    token_set = set(all_tokens)
    for e in all_entities():
        for name in e.derived():
            assert name not in token_set, f"background name {name} is a token"
    ident = re.compile(r"[A-Za-z0-9_]+")
    for line in NEAR_MISS_PHP + NEAR_MISS_BLADE:
        hit = [w for w in ident.findall(line) if w in token_set]
        assert not hit, f"near miss line contains a token: {hit}: {line}"
    for t in all_tokens:
        assert ident.fullmatch(t), t


# ---------------------------------------------------------------------------------------------
# Output files
# ---------------------------------------------------------------------------------------------

def token_sets(seed: int) -> dict[int, list[str]]:
    r = random.Random(f"tokens:{seed}")
    planted = [t for t, _ in PLANTED]
    absent = absent_tokens(r, max(SET_SIZES) - len(planted), set(planted))
    sets = {}
    for n in SET_SIZES:
        k = PLANTED_PER_SET[n]
        toks = planted[:k] + absent[: n - k]
        r.shuffle(toks)
        sets[n] = toks
    return sets


def synthetic_sets(seed: int) -> dict[str, dict[int, list[str]]]:
    """The synthetic token sets by mode: the sets of 10, 100 and 1,000 as they always were, and
    10,000: the 1,000 and more absent names. Part mode uses the same tokens."""
    sets = token_sets(seed)
    r = random.Random(f"tokens-10000:{seed}")
    more = absent_tokens(r, 10_000 - 1000, set(sets[1000]))
    toks = sets[1000] + more
    r.shuffle(toks)
    sets[10_000] = toks
    return {"word": sets, "part": sets}


def config_name(n: int, mode: str, cs: bool) -> str:
    return f"{n}-{mode}-{'cs' if cs else 'ci'}"


def rule_file(n: int, tokens: list[str], mode: str = "word", cs: bool = True) -> str:
    n_rules = {10: 2, 100: 4, 1000: 10}.get(n, max(1, n // 100))
    per = -(-len(tokens) // n_rules)
    how = f"{mode} mode" + ("" if cs else ", case-insensitive")
    out = [f"# Generated by bench/gen.py: the token set of {n} ({how}).", "",
           "[scan]", "roots = " + json.dumps(SCAN_ROOTS), "exclude = " + json.dumps(SCAN_EXCLUDE), ""]
    for i in range(n_rules):
        chunk = tokens[i * per:(i + 1) * per]
        if not chunk:
            continue
        out += ["[[rule]]", f'id = "removal-{i + 1:02d}"',
                f'message = "reference to code removed in phase {i + 1} of the cleanup"',
                'help = "Use OperationRun and the canonical Operations pages instead."',
                f'match = "{mode}"']
        if not cs:
            out.append("case_sensitive = false")
        out.append("tokens = [")
        out += [f'    "{t}",' for t in chunk]
        out += ["]", ""]
    return "\n".join(out)


def rule_chunks(n: int, tokens: list[str]) -> list[list[str]]:
    """The tokens of each rule of rule_file(n, tokens)."""
    n_rules = {10: 2, 100: 4, 1000: 10}.get(n, max(1, n // 100))
    per = -(-len(tokens) // n_rules)
    return [tokens[i * per:(i + 1) * per] for i in range(n_rules) if tokens[i * per:(i + 1) * per]]


def configs_of(sets: dict[str, dict[int, list[str]]]) -> list[count.Config]:
    out = []
    for n in ALL_SET_SIZES:
        for mode in MODES:
            for cs in (True, False):
                out.append(count.Config(config_name(n, mode, cs), mode, cs, rule_chunks(n, sets[mode][n])))
    return out


def script_hash(dataset: str = "synthetic") -> str:
    """A hash of everything the trees of a data set are made from."""
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    names = ["gen.py", "count.py"]
    if dataset == "real":
        names += ["gen_real.py", os.path.join("data", "laravel-vocab.tsv"), os.path.join("data", "laravel-shapes.json")]
    for name in names:
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def verify(tree: str, specs: list[dict], sets: dict[int, list[str]], expected: dict[int, int]) -> None:
    """Re-count each token in each in-scope file with a regex; compare with the manifest."""
    ident = re.compile(rb"[A-Za-z0-9_]+")
    wanted = {t.encode() for t in sets[max(sets)]}
    found: Counter = Counter()
    for spec in specs:
        if spec["scope"] != "in":
            continue
        with open(os.path.join(tree, spec["path"]), "rb") as f:
            data = f.read()
        for w in ident.findall(data):
            if w in wanted:
                found[w.decode()] += 1
    bad = False
    for n, toks in sets.items():
        got = sum(found[t] for t in toks)
        status = "ok" if got == expected[n] else "MISMATCH"
        bad |= got != expected[n]
        print(f"  verify tokens-{n}: expected {expected[n]}, regex count {got}: {status}")
    if bad:
        sys.exit("gen.py: --verify found a mismatch between the manifest and the tree")


def verify_configs(tree: str, paths: list[str], configs: list[count.Config], expected: dict[str, int]) -> None:
    """Re-count every rule file's hits in the files as written on disk; compare with the manifest."""
    counter = count.Counter16(configs)
    totals = [0] * len(configs)
    for rel in paths:
        with open(os.path.join(tree, rel), "rb") as f:
            counter.count_text(f.read().decode("utf-8", "replace"), totals, Counter())
    bad = [f"{c.name}: manifest {expected[c.name]}, files {t}" for c, t in zip(configs, totals) if t != expected[c.name]]
    print(f"  verify: {len(configs)} rule files re-counted from the files on disk: "
          + ("ok" if not bad else "MISMATCH " + "; ".join(bad)))
    if bad:
        sys.exit("gen.py: --verify found a mismatch between the manifest and the tree")


def main() -> None:
    global _REAL, _COUNTER
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="synthetic", choices=["synthetic", "real"],
                    help="synthetic (planted tokens) or real (a real application's vocabulary)")
    ap.add_argument("--size", default="small", help="small | medium | large | custom (with --files/--bytes)")
    ap.add_argument("--files", type=int, help="in-scope files (custom size)")
    ap.add_argument("--bytes", type=int, help="in-scope bytes (custom size)")
    ap.add_argument("--seed", type=int, default=87)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "trees"))
    ap.add_argument("--force", action="store_true", help="regenerate even if the tree is up to date")
    ap.add_argument("--verify", action="store_true", help="re-count the tokens in the tree (slow on big trees)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    if args.files or args.bytes:
        n_files, n_bytes = args.files or 1000, args.bytes or (args.files or 1000) * 10_000
    elif args.size in SIZES:
        n_files, n_bytes = SIZES[args.size]
    else:
        ap.error(f"unknown size {args.size!r}")
    real = args.dataset == "real"
    outdir = os.path.join(args.out, args.dataset, args.size)
    tree = os.path.join(outdir, "tree")
    manifest_path = os.path.join(outdir, "manifest.json")
    ident = {"format": FORMAT_VERSION, "dataset": args.dataset, "gen_sha256": script_hash(args.dataset),
             "seed": args.seed, "target_files": n_files, "target_bytes": n_bytes}

    vocab = gen_real.Vocab(args.seed) if real else None
    sets = gen_real.token_sets(vocab, args.seed) if real else synthetic_sets(args.seed)
    configs = configs_of(sets)

    if not args.force and os.path.exists(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
        if all(old.get(k) == v for k, v in ident.items()) and os.path.isdir(tree):
            print(f"gen.py: {outdir} is up to date")
            if args.verify:
                with open(os.path.join(outdir, "in-scope.txt")) as f:
                    paths = [line.rstrip("\n") for line in f]
                verify_configs(tree, paths, configs, {k: v["expected_hits"] for k, v in old["configs"].items()})
            return

    t0 = time.time()
    if real:
        planner = plan_layout(args.seed, n_files, n_bytes)
    else:
        check_vocabulary(sets["word"][max(ALL_SET_SIZES)])
        planner = plan(args.seed, n_files, n_bytes)
    specs = planner.specs

    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    os.makedirs(tree)
    with open(os.path.join(tree, ".gitignore"), "w") as f:
        f.write("# Generated code and merge leftovers\n/app/Generated/\n*.orig\n/storage/*.key\n")

    dilute = gen_real.dilution(vocab, n_bytes) if real else None
    _REAL = (vocab, dilute) if real else None
    _COUNTER = count.Counter16(configs, {c.name for c in configs if int(c.name.split("-")[0]) <= 100})
    chunk = 200
    work = [(tree, args.seed, specs[i:i + chunk]) for i in range(0, len(specs), chunk)]
    in_paths = sorted(s["path"] for s in specs if s["scope"] == "in")
    files_in = len(in_paths)
    bytes_in = 0
    totals = [0] * len(configs)
    per_token: Counter = Counter()

    def add(result) -> None:
        nonlocal bytes_in
        _nf, nb, t, pt = result
        bytes_in += nb
        for i, x in enumerate(t):
            totals[i] += x
        per_token.update(pt)

    if args.jobs > 1:
        with Pool(args.jobs, initializer=_init_worker) as pool:
            for result in pool.imap_unordered(_write_chunk, work):
                add(result)
    else:
        for w in work:
            add(_write_chunk(w))

    expected = {c.name: t for c, t in zip(configs, totals)}
    for mode in MODES:
        for n in ALL_SET_SIZES:
            with open(os.path.join(outdir, f"tokens-{n}-{mode}.txt"), "w") as f:
                f.write("\n".join(sets[mode][n]) + "\n")
            for cs in (True, False):
                with open(os.path.join(outdir, f"vestige-{config_name(n, mode, cs)}.toml"), "w") as f:
                    f.write(rule_file(n, sets[mode][n], mode, cs))
    with open(os.path.join(outdir, "in-scope.txt"), "w") as f:
        f.write("\n".join(in_paths) + "\n")

    manifest = dict(ident)
    manifest.update({
        "size": args.size,
        "scan_roots": SCAN_ROOTS,
        "scan_exclude": SCAN_EXCLUDE,
        "files_in_scope": files_in,
        "bytes_in_scope": bytes_in,
        "files_total": len(specs) + 1,
        "expected_hits_by": "bench/count.py on every in-scope file as it was written",
        "token_sets": {str(n): {"tokens": len(sets["word"][n]), "expected_hits": expected[config_name(n, "word", True)]}
                       for n in ALL_SET_SIZES},
        "configs": {
            c.name: {
                "tokens": int(c.name.split("-")[0]),
                "mode": c.mode,
                "case_sensitive": c.cs,
                "rules_file": f"vestige-{c.name}.toml",
                "tokens_file": f"tokens-{c.name.split('-')[0]}-{c.mode}.txt",
                "rules": len(rule_chunks(int(c.name.split("-")[0]), sets[c.mode][int(c.name.split("-")[0])])),
                "expected_hits": expected[c.name],
                **({"per_token": {t: k for (name, t), k in sorted(per_token.items()) if name == c.name}}
                   if c.name in _COUNTER.per_token else {}),
            } for c in configs
        },
    })
    if real:
        fr = gen_real.match_frequency(vocab)
        manifest["vocabulary"] = {
            "source": vocab.shapes["source"],
            "commit": vocab.shapes["commit"],
            "words": len(vocab.words),
            "tail_renamed_share": dilute,
            "bands": {mode: {str(n): gen_real.bands_of(vocab, sets[mode][n], fr) for n in ALL_SET_SIZES} for mode in MODES},
        }
    else:
        counts = planner.counts
        planted = {n: sum(counts.get("in", Counter())[t] for t in toks) for n, toks in sets["word"].items()}
        skipped = {g: sum(c.values()) for g, c in counts.items() if g not in ("in", "near_misses")}
        manifest["near_miss_lines_in_scope"] = counts.get("near_misses", Counter())["lines"]
        manifest["planted_out_of_scope"] = skipped
        for n in ALL_SET_SIZES:
            ts = manifest["token_sets"][str(n)]
            ts["planted_hits"] = planted[n]
            ts["planted_tokens"] = sum(1 for t in sets["word"][n] if counts.get("in", Counter())[t])
        # The planted count and the independent count must agree in word mode.
        bad = [n for n in ALL_SET_SIZES if planted[n] != expected[config_name(n, "word", True)]]
        if bad:
            sys.exit("gen.py: planted hits and bench/count.py disagree for token sets "
                     + ", ".join(f"{n} (planted {planted[n]}, counted {expected[config_name(n, 'word', True)]})" for n in bad))
        if args.verify or args.size == "small":
            verify(tree, specs, sets["word"], planted)
    if args.verify:
        verify_configs(tree, in_paths, configs, expected)
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"gen.py: wrote {outdir}: {files_in} in-scope files, {bytes_in / 1e6:.1f} MB in scope, "
          f"{len(specs)} files in all; expected hits (word, case-sensitive) "
          + ", ".join(f"tokens-{n}={expected[config_name(n, 'word', True)]}" for n in ALL_SET_SIZES)
          + f" ({time.time() - t0:.1f}s)")


def plan_layout(seed: int, n_files: int, n_bytes: int) -> Planner:
    """The synthetic set's files, without its planted tokens: the real data set's layout."""
    planner = Planner(seed, n_files, n_bytes)
    planner.in_scope(n_files, n_bytes)
    planner.out_of_scope(n_files)
    return planner


def plan(seed: int, n_files: int, n_bytes: int) -> Planner:
    planner = Planner(seed, n_files, n_bytes)
    planner.in_scope(n_files, n_bytes)
    planner.out_of_scope(n_files)
    planner.plant({})
    return planner


if __name__ == "__main__":
    main()
