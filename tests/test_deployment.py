"""docker-compose.yaml, Dockerfile and .env.example checked against what the code needs.

Docker does not run in CI (nor on the machine this was written on), so these tests read the files
instead of starting them: the services and their wiring, the connections the package looks up, the
mounts that make dags/, plugins/ and include/ importable, the shared secrets, the image's Airflow
version. Where the code can take the compose file's values directly, it does: the connection URIs,
interpolated with .env.example as `docker compose` would, are parsed by Airflow and by
ispeed.warehouse.connection. And no tracked file may hold something that looks like a real secret.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
ROLES_SQL = ROOT / "deploy" / "warehouse-init" / "01-roles.sql"

AIRFLOW_SERVICES = {  # service -> its command
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-worker": "celery worker",
    "airflow-triggerer": "triggerer",
}
OTHER_SERVICES = {"airflow-init", "airflow-postgres", "warehouse-postgres", "redis", "mailpit"}
SHARED_SECRETS = ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY")


# --- reading the files -------------------------------------------------------------------------


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as docker compose reads them (quotes removed, comments skipped)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=VALUE: {line!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


_VAR = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def references(text: str) -> list[tuple[str, str | None]]:
    """The variables a compose value interpolates: (name, operator)."""
    return [(m["name"] or m["bare"], m["op"]) for m in _VAR.finditer(text) if m.group(0) != "$$"]


def interpolate(value, env: dict[str, str]):
    """Compose's interpolation of a value ($$, ${VAR}, ${VAR:-default}, ${VAR:?error}, ...)."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m["name"] or m["bare"]
        op, arg = m["op"], m["arg"] or ""
        current = env.get(name)
        unset_or_empty = current is None or (op or "").startswith(":") and current == ""
        if op in (":-", "-") and unset_or_empty:
            return arg
        if op in (":?", "?") and unset_or_empty:
            raise KeyError(f"{name}: {arg}")
        return current or ""

    return _VAR.sub(one, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def example_env() -> dict[str, str]:
    return read_dotenv(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def generated_env(tmp_path_factory) -> dict[str, str]:
    """The .env that deploy/make-env.sh writes."""
    out = tmp_path_factory.mktemp("env") / ".env"
    done = subprocess.run(
        ["bash", str(ROOT / "deploy" / "make-env.sh"), str(out)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return read_dotenv(out)


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def mounts(service: dict) -> dict[str, str]:
    """container path -> source (host path or volume name) of a service's volumes."""
    found = {}
    for vol in service.get("volumes", []):
        if isinstance(vol, dict):
            found[vol["target"]] = vol.get("source", "")
        else:  # source:target[:mode]; a ${VAR:-default} source holds colons of its own
            parts = re.findall(r"(?:\$\{[^}]*\}|[^:])+", vol)
            found[parts[1]] = parts[0]
    return found


def host_path(source: str) -> Path | None:
    """A bind mount's folder in the checkout, None for a named volume."""
    return ROOT / source if source.startswith(".") else None


def image_major(image: str) -> int:
    name, _, tag = image.partition(":")
    assert tag, f"{image}: pin a version"
    return int(re.match(r"\d+", tag).group(0))


def pipeline_setting(name: str, default: str) -> str:
    cfg = yaml.safe_load((ROOT / "include" / "config" / "pipeline.yaml").read_text(encoding="utf-8"))
    return str(cfg.get(name, default))


def smtp_conn_id() -> str:
    report = ROOT / "include" / "config" / "report.yaml"
    if report.exists():
        return str(
            (yaml.safe_load(report.read_text(encoding="utf-8")).get("email") or {}).get("smtp_conn_id", "smtp_default")
        )
    return "smtp_default"


def http_source_conn_id() -> str | None:
    source = ROOT / "include" / "config" / "http_source.yaml"
    if not source.exists():
        return None
    return str(yaml.safe_load(source.read_text(encoding="utf-8")).get("conn_id", "ispeed_http_source"))


def conn_env_name(conn_id: str) -> str:
    return "AIRFLOW_CONN_" + conn_id.upper()


# --- services ----------------------------------------------------------------------------------


def test_services_exist_with_their_commands(services):
    assert set(AIRFLOW_SERVICES) | OTHER_SERVICES <= set(services)
    for name, command in AIRFLOW_SERVICES.items():
        got = services[name]["command"]
        assert (got if isinstance(got, str) else " ".join(got)) == command, name


def test_every_airflow_service_shares_image_env_and_mounts(compose, services):
    common = compose["x-airflow-common"]
    common_env = env_of(common)
    for name in [*AIRFLOW_SERVICES, "airflow-init"]:
        svc = services[name]
        assert svc.get("build") == common["build"] and svc.get("image") == common["image"], name
        assert svc.get("user") == common["user"] or name == "airflow-init", name
        env = env_of(svc)
        differing = {k for k, v in common_env.items() if env.get(k) != v}
        assert not differing, f"{name} lacks or changes the common environment: {sorted(differing)}"
        assert mounts(svc) == mounts(common), name
    assert common["build"]["context"] == "." and (ROOT / common["build"].get("dockerfile", "Dockerfile")).is_file()


def test_celery_executor_wiring(compose, services, example_env):
    env = interpolate(env_of(compose["x-airflow-common"]), example_env)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert (
        urlsplit(env["AIRFLOW__CELERY__BROKER_URL"]).hostname in services
        and "redis" in env["AIRFLOW__CELERY__BROKER_URL"]
    )
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND"):
        assert urlsplit(env[key]).hostname == "airflow-postgres", key
    execution = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert execution.hostname == "airflow-apiserver" and execution.path == "/execution/"
    published = [str(p).split(":")[-1] for p in services["airflow-apiserver"]["ports"]]
    assert str(execution.port) in published


def test_metadata_database_credentials_match(compose, services, example_env):
    from sqlalchemy.engine import make_url

    url = make_url(interpolate(env_of(compose["x-airflow-common"])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], example_env))
    pg = interpolate(env_of(services["airflow-postgres"]), example_env)
    assert (url.username, url.password, url.database) == (
        pg["POSTGRES_USER"],
        pg["POSTGRES_PASSWORD"],
        pg["POSTGRES_DB"],
    )


def test_healthchecks_and_start_order(services):
    for name, svc in services.items():
        if name in ("airflow-init", "airflow-cli"):
            continue
        assert "healthcheck" in svc, f"{name} has no healthcheck"
    for name, svc in services.items():
        for dep, cond in (svc.get("depends_on") or {}).items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            expected = "service_completed_successfully" if dep == "airflow-init" else "service_healthy"
            assert cond["condition"] == expected, f"{name} -> {dep}"
    for name in AIRFLOW_SERVICES:
        deps = services[name]["depends_on"]
        assert {"redis", "airflow-postgres", "airflow-init"} <= set(deps), name
    # The worker is what talks to the warehouse.
    assert "warehouse-postgres" in services["airflow-worker"]["depends_on"]
    assert "airflow-init" not in services["airflow-init"].get("depends_on", {})


def test_workers_scale(services):
    worker = services["airflow-worker"]
    # --scale needs services without fixed names or host ports.
    assert "container_name" not in worker and "ports" not in worker


# --- connections -------------------------------------------------------------------------------


def test_warehouse_connection_reaches_the_warehouse_as_its_runtime_role(compose, services, example_env, monkeypatch):
    conn_id = pipeline_setting("warehouse_conn_id", "ispeed_warehouse")
    env = env_of(compose["x-airflow-common"])
    assert conn_env_name(conn_id) in env, (
        f"{conn_env_name(conn_id)} is not set (warehouse_conn_id of include/config/pipeline.yaml)"
    )
    uri = interpolate(env[conn_env_name(conn_id)], example_env)
    wh = interpolate(env_of(services["warehouse-postgres"]), example_env)

    # Read the way the pipeline reads it: ispeed.warehouse.connection through Airflow's connection lookup.
    from ispeed.warehouse import connection as warehouse

    monkeypatch.delenv("ISPEED_SKIP_AIRFLOW_CONNECTION", raising=False)
    monkeypatch.setenv(conn_env_name(conn_id), uri)
    target = warehouse._from_airflow(conn_id)
    assert target is not None, f"Airflow does not read {conn_env_name(conn_id)}"
    assert target.params["host"] == "warehouse-postgres" and target.params.get("port") == "5432"
    assert target.params["dbname"] == wh["ISPEED_WAREHOUSE_DB"]
    assert target.params["user"] == wh["ISPEED_WAREHOUSE_USER"]
    assert target.params["password"] == wh["ISPEED_WAREHOUSE_PASSWORD"] == example_env["ISPEED_WAREHOUSE_PASSWORD"]
    assert "password" not in target.describe().lower() and wh["ISPEED_WAREHOUSE_PASSWORD"] not in target.describe()
    # The runtime role, not the warehouse's superuser.
    assert target.params["user"] != wh["POSTGRES_USER"]


def test_smtp_connection_points_at_the_mail_catcher(compose, services, example_env):
    from airflow.models.connection import Connection
    from airflow.sdk.definitions.connection import Connection as SdkConnection

    env = env_of(compose["x-airflow-common"])
    for conn_id in {"smtp_default", smtp_conn_id()}:
        assert conn_env_name(conn_id) in env, f"{conn_env_name(conn_id)} is not set"
    raw = env[conn_env_name("smtp_default")]
    for values in (example_env, {}):  # as .env.example sets it, and the compose file's own default
        uri = interpolate(raw, values)
        for conn in (Connection(conn_id="smtp_default", uri=uri), SdkConnection.from_uri(uri, conn_id="smtp_default")):
            assert conn.conn_type == "smtp" and conn.host == "mailpit" and conn.port == 1025
            extra = conn.extra_dejson
            # SmtpHook: use_ssl = not bool(disable_ssl), starttls = not bool(disable_tls). Mailpit: neither.
            assert bool(extra.get("disable_ssl")) and bool(extra.get("disable_tls")), uri
    assert "1025" in [str(p) for p in services["mailpit"].get("expose", [])]
    assert any(str(p).endswith(":8025") for p in services["mailpit"]["ports"]), "the mail catcher's web UI"
    # A flag written as =false would be read as true by the Task SDK's URI parser.
    assert "=false" not in example_env["ISPEED_SMTP_URI"] and "=false" not in raw


def test_http_source_connection_is_optional(compose, example_env, monkeypatch):
    conn_id = http_source_conn_id()
    if conn_id is None:
        pytest.skip("no include/config/http_source.yaml")
    env = env_of(compose["x-airflow-common"])
    assert conn_env_name(conn_id) in env, (
        f"{conn_env_name(conn_id)} (conn_id of include/config/http_source.yaml) is not set"
    )
    # Left empty, Airflow finds no connection (and a task falls back to the metadata database).
    from airflow.sdk import BaseHook

    monkeypatch.setenv(conn_env_name(conn_id), interpolate(env[conn_env_name(conn_id)], example_env))
    assert example_env.get("ISPEED_HTTP_SOURCE_CONN", "") == ""
    with pytest.raises(Exception) as raised:
        BaseHook.get_connection(conn_id)
    assert "NotFound" in type(raised.value).__name__


# --- mounts ------------------------------------------------------------------------------------


def test_code_is_mounted_where_airflow_and_the_package_look(compose):
    common = compose["x-airflow-common"]
    env = env_of(common)
    found = mounts(common)
    dags = env.get("AIRFLOW__CORE__DAGS_FOLDER", "/opt/airflow/dags")
    plugins = env.get("AIRFLOW__CORE__PLUGINS_FOLDER", "/opt/airflow/plugins")
    include = str(PurePosixPath(env["ISPEED_PROJECT_ROOT"]) / "include")
    expect = {
        dags: "dags/ispeed_monthly_report.py",
        plugins: "plugins/ispeed/__init__.py",
        include: "include/config/pipeline.yaml",
    }
    for target, witness in expect.items():
        assert target in found, f"nothing is mounted at {target}"
        folder = host_path(found[target])
        assert folder is not None and (ROOT / witness).resolve().is_relative_to(folder.resolve()), (
            f"{target} <- {found[target]}"
        )
    # The package is importable: plugins/ on PYTHONPATH (Airflow adds the plugins folder too).
    assert plugins in env["PYTHONPATH"].split(":")
    # plugins/ispeed/paths.py: PROJECT_ROOT from ISPEED_PROJECT_ROOT; include/ under it.
    assert PurePosixPath(plugins).parent == PurePosixPath(env["ISPEED_PROJECT_ROOT"])


def test_data_folder_is_a_volume_shared_by_all_airflow_services(compose):
    common = compose["x-airflow-common"]
    data = env_of(common)["ISPEED_DATA_DIR"]
    found = mounts(common)
    assert data in found, f"ISPEED_DATA_DIR ({data}) is not on a volume"
    source = interpolate(found[data], {})
    assert source in (compose.get("volumes") or {}) or source.startswith("/"), source
    assert "/opt/airflow/logs" in found


def test_dockerfile_environment_matches_compose(compose):
    env = env_of(compose["x-airflow-common"])
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    docker_env = dict(re.findall(r"(\w+)=(\S+)", " ".join(re.findall(r"^ENV\s+(.*)$", text, re.M))))
    for key in ("ISPEED_PROJECT_ROOT", "ISPEED_DATA_DIR", "PYTHONPATH"):
        assert docker_env.get(key) == env[key], key


# --- secrets -----------------------------------------------------------------------------------


def test_shared_secrets_come_from_env_variables_defined_in_env_example(compose, example_env):
    env = env_of(compose["x-airflow-common"])
    for key in SHARED_SECRETS:
        value = env[key]
        refs = references(value)
        assert len(refs) == 1 and re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:\?[^}]*)?\}", value), (
            f"{key} must be only ${{VAR}}: {value!r}"
        )
        assert refs[0][0] in example_env, f"{refs[0][0]} is not in .env.example"


def test_no_secret_is_written_into_compose(services, compose):
    secretish = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|_KEY$")
    for name, svc in [("x-airflow-common", compose["x-airflow-common"]), *services.items()]:
        for key, value in env_of(svc).items():
            if secretish.search(key) and not key.endswith(("_USERNAME", "_USER")):
                assert references(value), f"{name}: {key} is a literal; take it from .env"
            if key.startswith("AIRFLOW_CONN_") or key.endswith(("SQL_ALCHEMY_CONN", "RESULT_BACKEND")):
                password = urlsplit(value.replace("${", "<").replace("}", ">")).password
                assert not password or password.startswith("<"), f"{name}: {key} holds a literal password"


def test_every_variable_is_defined_or_defaulted(compose, example_env):
    text = COMPOSE.read_text(encoding="utf-8")
    for name, op in references(text):
        if op in (":-", "-"):
            continue
        assert name in example_env, f"docker-compose.yaml uses ${{{name}}} without a default; add it to .env.example"
    # and the whole file interpolates with .env.example
    interpolate(compose, example_env)


def test_env_example_holds_placeholders_only(example_env):
    for key, value in example_env.items():
        if re.search(r"PASSWORD|SECRET|FERNET_KEY", key):
            assert value.startswith("change-me"), f".env.example: {key} must be a change-me placeholder"


def test_make_env_generates_every_secret(example_env, generated_env):
    from cryptography.fernet import Fernet

    assert set(generated_env) == set(example_env)
    for key, value in generated_env.items():
        assert "change-me" not in value, key
        if example_env[key].startswith("change-me") and key != "AIRFLOW_FERNET_KEY":
            assert re.fullmatch(r"[0-9a-f]{64}", value), f"{key}: URI-safe secret"
    # HS512 needs a 64-byte key, or the api-server and the scheduler log InsecureKeyLengthWarning
    for key in ("AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY"):
        assert len(generated_env[key].encode()) >= 64, f"{key}: {len(generated_env[key])} bytes"
    Fernet(generated_env["AIRFLOW_FERNET_KEY"].encode())  # a valid key
    assert generated_env["ISPEED_SMTP_URI"] == example_env["ISPEED_SMTP_URI"]


def test_make_env_never_overwrites(tmp_path):
    out = tmp_path / ".env"
    out.write_text("KEEP=1\n")
    done = subprocess.run(
        ["bash", str(ROOT / "deploy" / "make-env.sh"), str(out)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and out.read_text() == "KEEP=1\n"


def test_airflow_init_refuses_placeholders(services, example_env, generated_env):
    script = services["airflow-init"]["command"][-1]
    guard = script[: script.index("\nfi\n") + 4]  # the first block: the placeholder check
    assert "change-me" in guard
    for values, expect in ((example_env, 1), (generated_env, 0)):
        env = dict(interpolate(env_of(services["airflow-init"]), values).items())
        done = subprocess.run(
            ["bash", "-c", interpolate(guard, values)],
            env={"PATH": "/usr/bin:/bin", **env},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == expect, done.stderr


# --- images ------------------------------------------------------------------------------------


def test_dockerfile_extends_the_pinned_airflow_with_requirements():
    text = DOCKERFILE.read_text(encoding="utf-8")
    pin = re.search(r"^apache-airflow==(\S+)\s*$", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.M)
    assert pin, "requirements.txt must pin apache-airflow"
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert len(froms) == 1
    m = re.fullmatch(r"apache/airflow:(?P<version>[\d.]+)-python(?P<python>[\d.]+)", froms[0])
    assert m, froms[0]
    assert m["version"] == pin.group(1), f"FROM {froms[0]} but requirements.txt pins apache-airflow=={pin.group(1)}"
    assert m["python"] == "3.11", "requirements.txt is known to install together on Python 3.11"
    copied = re.search(r"^COPY\s+(?:--\S+\s+)*requirements\.txt\s+(\S+)", text, re.M)
    assert copied, "the Dockerfile must COPY requirements.txt"
    dest = copied.group(1)
    prod = re.search(r"^COPY\s+(?:--\S+\s+)*requirements-production\.txt\s+(\S+)", text, re.M)
    assert prod, "the Dockerfile must COPY requirements-production.txt"
    assert dest == str(Path(prod.group(1)).with_name("requirements.txt")), "beside it, for its -r requirements.txt"
    install = re.search(r"^RUN\s+pip install\b(.*)$", text, re.M)
    assert install and f"-r {prod.group(1)}" in install.group(1), "pip install -r the copied production file"
    assert '"apache-airflow==${AIRFLOW_VERSION}"' in install.group(1), "keep pip from moving Airflow"


def test_the_production_requirements_pin_the_celery_topology():
    text = (ROOT / "requirements-production.txt").read_text(encoding="utf-8")
    assert re.search(r"^-r requirements\.txt$", text, re.M)
    pins = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)$", text, re.M))
    for name in ("apache-airflow-providers-celery", "apache-airflow-providers-fab", "celery", "kombu", "redis"):
        assert name in pins, f"{name} is not pinned in requirements-production.txt"
    assert pins["celery"] != "5.7.0", "celery 5.7.0 breaks the Celery provider 3.26.0 (docs/deployment.md)"


def test_dockerignore_keeps_secrets_out_and_the_code_in():
    patterns = [
        p.strip()
        for p in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if p.strip() and not p.startswith("#")
    ]

    def ignored(path: str) -> bool:
        result = False
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        for pattern in patterns:
            negate = pattern.startswith("!")
            pat = pattern.lstrip("!").rstrip("/")
            if any(fnmatch.fnmatchcase(p, pat) for p in prefixes):
                result = not negate
        return result

    for path in (".env", ".venv/bin/python", ".data/pgdata/PG_VERSION", ".git/config", "tests/conftest.py"):
        assert ignored(path), path
    sources = re.findall(r"^COPY\s+(?:--\S+\s+)*(\S+)\s+\S+$", DOCKERFILE.read_text(encoding="utf-8"), re.M)
    assert sources
    for src in sources:
        assert not ignored(src.rstrip("/")), f"{src} is COPY'd but excluded by .dockerignore"
        assert (ROOT / src).exists(), src
    assert ignored("plugins/ispeed/__pycache__/x.pyc")


def test_postgres_versions_and_data_volumes(services):
    assert image_major(services["warehouse-postgres"]["image"]) >= 16, "the pipeline uses pg_input_is_valid"
    for name in ("warehouse-postgres", "airflow-postgres"):
        svc = services[name]
        major = image_major(svc["image"])
        data = "/var/lib/postgresql" if major >= 18 else "/var/lib/postgresql/data"
        assert data in mounts(svc), f"{name}: postgres:{major} keeps its data under {data}"


def test_warehouse_init_script_is_mounted_and_fed(services, example_env):
    wh = services["warehouse-postgres"]
    found = mounts(wh)
    source = found.get("/docker-entrypoint-initdb.d/01-roles.sql") or found.get("/docker-entrypoint-initdb.d")
    assert source, "deploy/warehouse-init is not mounted into /docker-entrypoint-initdb.d"
    folder = host_path(source)
    assert folder and (ROLES_SQL.resolve() == folder.resolve() or ROLES_SQL.resolve().parent == folder.resolve())
    # What the script reads from the environment is what the service gives it; the password is required.
    read = dict(re.findall(r"^\\getenv\s+(\w+)\s+(\w+)", ROLES_SQL.read_text(encoding="utf-8"), re.M))
    env = env_of(wh)
    assert "ISPEED_WAREHOUSE_PASSWORD" in read.values() and "ISPEED_WAREHOUSE_PASSWORD" in env
    common = env_of(services["airflow-worker"])
    for name in ("ISPEED_WAREHOUSE_DB", "ISPEED_WAREHOUSE_USER", "ISPEED_WAREHOUSE_PASSWORD"):
        assert name in read.values() and name in env, name
        # the same variable feeds the init script and the Airflow connection
        assert {r for r, _ in references(env[name])} <= {
            r for r, _ in references(common[conn_env_name(pipeline_setting("warehouse_conn_id", "ispeed_warehouse"))])
        }


def test_airflow_options_exist():
    """Every AIRFLOW__SECTION__KEY names an option of Airflow (typos are silently ignored otherwise)."""
    import airflow

    template = yaml.safe_load(
        (Path(airflow.__file__).parent / "config_templates" / "config.yml").read_text(encoding="utf-8")
    )
    provider_sections = {"celery"}  # apache-airflow-providers-celery: in the image, not in requirements.txt
    text = COMPOSE.read_text(encoding="utf-8")
    for section, key in set(re.findall(r"\bAIRFLOW__([A-Z0-9_]+?)__([A-Z0-9_]+)\b", text)):
        section, key = section.lower(), key.lower()
        if section in provider_sections:
            continue
        assert section in template and key in template[section]["options"], f"AIRFLOW__{section.upper()}__{key.upper()}"


# --- no secret in the repository ----------------------------------------------------------------

TOKEN_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\b(?:ghp|gho|ghs|ghu)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
}
URI_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"`]+:([^@\s/'\"`]*)@")
ASSIGNED = re.compile(
    r"(?i)\b[\w.-]*(?:password|passwd|secret|token|fernet_key|api_key)[\w.-]*[\"']?\s*[:=]\s*(?P<q>[\"'])(?P<v>[^\"'\n]*)(?P=q)"
)
ENV_LINE = re.compile(
    r"^\s*(?:export\s+)?[A-Z0-9_]*(?:PASSWORD|SECRET|FERNET_KEY|TOKEN)[A-Z0-9_]*\s*[:=]\s*(?P<v>\S.*)$"
)
PLACEHOLDERS = {"", "pass", "password", "secret", "xxx", "***", "..."}


def placeholder(value: str) -> bool:
    value = value.strip().strip("'\"")
    return (
        value.lower() in PLACEHOLDERS
        or "change-me" in value
        or value.startswith(("$", "<", "{", "%(", ":"))
        or value.lower().startswith("set ")
    )


def tracked_text_files() -> list[Path]:
    try:
        names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    files = []
    for name in filter(None, names.split("\0")):
        path = ROOT / name
        if path.is_file() and path.stat().st_size < 2_000_000:
            files.append(path)
    return files


def test_env_file_is_not_tracked():
    names = {p.relative_to(ROOT).as_posix() for p in tracked_text_files()}
    assert ".env" not in names and not any(n.endswith("/.env") for n in names)


def test_no_tracked_file_holds_a_real_secret():
    """High-confidence token formats anywhere; in code, config and deployment files also passwords
    written as literals. Tests may use made-up credentials for the servers they start themselves."""
    problems = []
    for path in tracked_text_files():
        rel = path.relative_to(ROOT).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            for what, pattern in TOKEN_PATTERNS.items():
                if pattern.search(line):
                    problems.append(f"{rel}:{lineno}: {what}")
            if rel.startswith("tests/"):
                continue
            for m in URI_PASSWORD.finditer(line):
                if not placeholder(m.group(1)):
                    problems.append(f"{rel}:{lineno}: password in a URI")
            if path.suffix in (".py", ".yaml", ".yml", ".cfg", ".ini", ".toml", ".json", ".sh") or path.name.startswith(
                (".env", "Dockerfile")
            ):
                for m in ASSIGNED.finditer(line):
                    if not placeholder(m["v"]):
                        problems.append(f"{rel}:{lineno}: literal secret {m.group(0)[:40]!r}")
                m = ENV_LINE.match(line)
                if m and not placeholder(m["v"]):
                    problems.append(f"{rel}:{lineno}: literal secret in an environment setting")
            if path.suffix == ".sql" and re.search(r"(?i)\bpassword\s+'[^']+'", line):
                problems.append(f"{rel}:{lineno}: literal password in SQL")
    assert not problems, "\n".join(problems)


def test_secret_scan_catches_what_it_should(tmp_path):
    """The scanner's patterns, on examples (so that a change to them cannot make it blind)."""
    assert URI_PASSWORD.search("postgresql://ispeed:hunter2xyz@db/ispeed").group(1) == "hunter2xyz"
    assert (
        not placeholder("hunter2xyz") and placeholder("${ISPEED_WAREHOUSE_PASSWORD:?x}") and placeholder("change-me-x")
    )
    assert ASSIGNED.search('password = "hunter2xyz"')["v"] == "hunter2xyz"
    assert ASSIGNED.search("  ISPEED_WAREHOUSE_PASSWORD: 'abc123def'")["v"] == "abc123def"
    assert ENV_LINE.match("ISPEED_WAREHOUSE_PASSWORD=abc123def")["v"] == "abc123def"
    assert TOKEN_PATTERNS["private key"].search("-----BEGIN OPENSSH " + "PRIVATE KEY-----")
    assert sys.version_info >= (3, 11)
