"""The Terraform AWS provider's own CloudFront acceptance configurations, applied against cloudfront-local.

The provider's acceptance tests (internal/service/cloudfront/*_test.go in hashicorp/terraform-provider-aws)
hold their configurations as Go: constants, variables and functions returning HCL, as a raw string,
`fmt.Sprintf` of one (`%[1]q`, `%s`, `%d`, `%f`, ... of the function's parameters) or `acctest.ConfigCompose(...)`
of such. This script reads them from a checkout (their text cannot be committed here) and evaluates those forms.
Each test (`func TestAcc...`) with `Config` steps is one candidate: its steps in order, its locals (rName and the
like) evaluated first; a configuration function that no step calls and no other configuration uses is one on its
own. For each that needs no other AWS service: a fresh emulator, then for every step `terraform apply` and
`terraform plan -detailed-exitcode` (must be empty: exit 0), then `terraform destroy`; then a table.
Configurations it cannot evaluate, or that name another service's resources or data sources (S3, Lambda, WAF,
ACM, IAM, Kinesis, STS, ...), are listed as skipped with the reason; one that provider 5.100.0 refuses before
sending anything (an argument, value or data source newer than it) is NEWER PROVIDER, not a failure.

    python3 tests/outside/terraform_acceptance.py PROVIDER_DIR [--only REGEX] [--list]

PROVIDER_DIR is a checkout of the provider (v5.100.0, the provider the project's machines have) or a directory
of its cloudfront *_test.go files, with test-fixtures/ beside them. Terraform must be on the PATH and the
provider in a filesystem mirror (as for tests/acceptance/test_terraform.py: a tf-plugins directory, or
CLOUDFRONT_LOCAL_TF_PLUGINS). Each distribution costs a minute or two: the provider waits for it to deploy.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = pathlib.Path(__file__).resolve().parent
TESTS = HERE.parent
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS / "acceptance"))

PROVIDER_BLOCK = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" { type = string }

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "123456789012"
  secret_key                  = "local"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    cloudfront = var.endpoint
  }
}
"""

# Resource and data source types served by the CloudFront endpoint (and aws_partition, which calls nothing).
CLOUDFRONT = re.compile(r"aws_cloudfront\w*|aws_partition")


# Every function's body by name (configuration or not), for what a configuration's helpers test.
FUNCTIONS: dict[str, str] = {}


class Unsupported(Exception):
    """A form this script does not evaluate (the reason is the message)."""


# -- reading Go ---------------------------------------------------------------------------------------
@dataclass
class Definition:
    name: str
    params: list[tuple[str, str]]  # (name, type)
    body: str                      # a function's body, or a constant's expression
    source: str                    # the file it is in


@dataclass
class TestFunction:
    name: str
    body: str
    source: str


def _matching(text: str, start: int, open_: str = "(", close: str = ")") -> int:
    """The index just past the bracket closing the one at `start`, skipping Go strings and comments."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == "`":
            i = text.index("`", i + 1)
        elif c == '"':
            i += 1
            while text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "'":
            i += 1
            while text[i] != "'":
                i += 2 if text[i] == "\\" else 1
        elif text.startswith("//", i):
            i = text.index("\n", i)
        elif c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise Unsupported("unbalanced brackets")


def read_definitions(files: list[pathlib.Path]) -> tuple[dict[str, Definition], list[TestFunction]]:
    found: dict[str, Definition] = {}
    tests: list[TestFunction] = []
    for path in files:
        text = path.read_text()
        for match in re.finditer(r"^func (\w+)\([^)]*\)[^{\n]*\{", text, re.M):
            end = _matching(text, match.end() - 1, "{", "}")
            FUNCTIONS[match.group(1)] = text[match.end():end - 1]
        for match in re.finditer(r"^func (Test\w+)\(t \*testing\.T\) \{", text, re.M):
            end = _matching(text, match.end() - 1, "{", "}")
            tests.append(TestFunction(match.group(1), text[match.end():end - 1], path.name))
        # `const ( name = value ... )`: the provider keeps shared values such as a default domain so
        for block in re.finditer(r"^const \(\n(.*?)^\)", text, re.M | re.S):
            for line in re.finditer(r"^\s*(\w+)\s*=\s*(.+?)\s*$", block.group(1), re.M):
                found[line.group(1)] = Definition(line.group(1), [], "return " + line.group(2), path.name)
        for match in re.finditer(r"^func (\w+)\(([^)]*)\) string \{", text, re.M):
            params, pending = [], []
            for part in filter(None, (p.strip() for p in match.group(2).split(","))):
                words = part.split()
                pending.append(words[0])
                if len(words) > 1:  # Go's `a, b string`: the type closes the pending names
                    params += [(name, words[1]) for name in pending]
                    pending = []
            end = _matching(text, match.end() - 1, "{", "}")
            found[match.group(1)] = Definition(match.group(1), params, text[match.end():end - 1], path.name)
        for match in re.finditer(r"^(?:const|var) (\w+) = ", text, re.M):
            start = match.end()
            if text[start] == "`":
                end = text.index("`", start + 1) + 1
            elif re.match(r"[\w.]+\(", text[start:]):  # var x = acctest.ConfigCompose(...): to its bracket
                end = _matching(text, text.index("(", start))
            else:
                end = text.index("\n", start)
            found[match.group(1)] = Definition(match.group(1), [], "return " + text[start:end], path.name)
    return found, tests


_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*\d*(?:\.\d+)?)([sqdtvf%])")


def sprintf(template: str, args: list) -> str:
    """Go's fmt.Sprintf for the verbs the provider's configurations use."""
    position = 0

    def one(match: re.Match) -> str:
        nonlocal position
        if match.group(3) == "%":
            return "%"
        index = int(match.group(1)) - 1 if match.group(1) else position
        position = index + 1
        if index >= len(args):
            raise Unsupported("a format verb without its argument")
        value, verb = args[index], match.group(3)
        if verb == "q":
            return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        if verb == "t" or isinstance(value, bool):
            return "true" if value else "false"
        if verb == "f":  # Go's %f, like C's: six decimals unless told otherwise
            return f"%{match.group(2) or ''}f" % float(value)
        return str(value)

    return _VERB.sub(one, template)


class Evaluator:
    def __init__(self, definitions: dict[str, Definition], sources: dict[str, str] | None = None):
        self.definitions = definitions
        self.sources = sources or {}  # every function's body by name, whatever it returns
        self.names = 0

    def environment_switch(self, name: str) -> bool:
        source = self.sources.get(name, "")
        return "os.LookupEnv(" in source or "os.Getenv(" in source

    def random_name(self) -> str:
        """What sdkacctest.RandomWithPrefix gives: each call a new name, as the tests' rName1, rName2 rely on."""
        self.names += 1
        return f"tf-acc-test-{self.names:06d}"

    def call(self, name: str, args: list) -> str:
        definition = self.definitions.get(name)
        if definition is None:
            raise Unsupported(f"needs {name}, which is not in the files read")
        scope = {param: value for (param, _), value in zip(definition.params, args)}
        body = definition.body.strip()
        # `if someFromEnv() { return X }; return Y`: a switch on the environment (TF_TEST_CLOUDFRONT_RETAIN
        # for testAccDistributionRetainConfig) that this run does not set, so Y.
        switch = re.fullmatch(r"if (\w+)\(\) \{\s*return [^\n]*\s*\}\s*(return .*)", body, re.S)
        if switch and self.environment_switch(switch.group(1)):
            body = switch.group(2)
        # `if region == "" { region = "null" }`: a default for an empty parameter.
        while default := re.match(r'if (\w+) == "" \{\s*\1 = ([^\n]+?)\s*\}\s*', body):
            if scope.get(default.group(1)) == "":
                scope[default.group(1)] = self.expression(default.group(2), scope)[0]
            body = body[default.end():]
        # A body that only returns: anything before the return (loops, locals) is beyond this script.
        if not body.startswith("return "):
            raise Unsupported(f"{name} computes before it returns")
        value, rest = self.expression(body[len("return "):], scope)
        if rest.strip():
            raise Unsupported(f"{name} does more than return one expression")
        return value

    def expression(self, text: str, scope: dict):
        """(value, the text after the expression)"""
        text = text.lstrip()
        if text.startswith("`"):
            end = text.index("`", 1)
            value, rest = text[1:end], text[end + 1:]
        elif text.startswith('"'):
            end = 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            value, rest = bytes(text[1:end], "utf-8").decode("unicode_escape"), text[end + 1:]
        elif re.match(r"-?\d+\.\d+\b", text):
            number = re.match(r"-?\d+\.\d+", text).group(0)
            value, rest = float(number), text[len(number):]
        elif re.match(r"-?\d+\b", text):
            number = re.match(r"-?\d+", text).group(0)
            value, rest = int(number), text[len(number):]
        elif re.match(r"(true|false)\b", text):
            word = re.match(r"true|false", text).group(0)
            value, rest = word == "true", text[len(word):]
        else:
            match = re.match(r"[\w.]+", text)
            if match is None:
                raise Unsupported(f"an expression it cannot read: {text[:40]!r}")
            name, rest = match.group(0), text[match.end():]
            if rest.lstrip().startswith("("):
                rest = rest.lstrip()
                end = _matching(rest, 0)
                args = self.arguments(rest[1:end - 1], scope)
                rest = rest[end:]
                if name == "fmt.Sprintf":
                    value = sprintf(args[0], args[1:])
                elif name == "acctest.ConfigCompose":
                    value = "\n".join(args)
                elif name in ("sdkacctest.RandomWithPrefix", "acctest.RandomWithPrefix"):
                    value = self.random_name()
                elif name in ("sdkacctest.RandInt", "acctest.RandInt"):
                    self.names += 1
                    value = 100000 + self.names
                elif name in ("sdkacctest.RandString", "acctest.RandString"):
                    self.names += 1
                    digits = f"{self.names:0{int(args[-1])}d}"[-int(args[-1]):]
                    value = digits.translate(str.maketrans("0123456789", "abcdefghij"))
                elif "." in name:
                    raise Unsupported(f"needs {name}")
                else:
                    value = self.call(name, args)
            elif name in scope:
                value = scope[name]
            elif re.fullmatch(r"r[A-Z]\w*Name\d*|rName\w*", name) and scope.get("<test>"):
                # A test's random name its locals did not give (an excerpt of the file, or a form the
                # locals' reading passed over): a fresh one, kept for the rest of the test.
                value = scope[name] = self.random_name()
            elif region := re.fullmatch(r"endpoints\.(\w+?)(\d+)RegionID", name):
                # endpoints.UsWest2RegionID is "us-west-2"
                words = re.findall(r"[A-Z][a-z]*", region.group(1))
                value = "-".join(w.lower() for w in words) + "-" + region.group(2)
            elif name == "acctest.ResourcePrefix":
                value = "tf-acc-test"
            elif name == "t":  # the *testing.T that acctest.RandomWithPrefix(t, ...) takes
                value = None
            elif name in self.definitions:
                value = self.call(name, [])
            else:
                raise Unsupported(f"needs {name}")
        rest = rest.lstrip()
        if rest.startswith("+"):  # string concatenation
            more, rest = self.expression(rest[1:], scope)
            value = f"{value}{more}"
        return value, rest

    def arguments(self, text: str, scope: dict) -> list:
        values, rest = [], text
        while rest.strip():
            value, rest = self.expression(rest, scope)
            values.append(value)
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:]
            elif rest.strip():
                raise Unsupported(f"an argument list it cannot read: {rest[:40]!r}")
        return values


def arguments_for(definition: Definition, name_seed: str) -> list:
    """Values for a configuration function's parameters, as the acceptance tests would pass them."""
    values = []
    for index, (name, type_) in enumerate(definition.params):
        if type_ == "string":
            values.append(f"tf-acc-{name_seed}-{index}" if "name" in name.lower() else f"{name}-{index}")
        elif type_ == "bool":
            values.append(False)
        elif type_ in ("int", "int32", "int64"):
            values.append(1)
        elif type_ in ("float32", "float64"):
            values.append(1.0)
        else:
            raise Unsupported(f"a parameter of type {type_}")
    return values


@dataclass
class Candidate:
    name: str
    source: str
    configs: list = field(default_factory=list)  # one HCL text a test step, applied in order
    skipped: str = ""
    result: str = ""
    detail: str = ""
    seconds: float = 0.0
    steps: list = field(default_factory=list)


def _why_not(hcl: str) -> str:
    """Why a configuration cannot run against the emulator alone ("" if it can)."""
    others = sorted({t for t in re.findall(r'^\s*(?:resource|data)\s+"(\w+)"', hcl, re.M)
                     if not CLOUDFRONT.fullmatch(t)})
    if others:
        return "needs other services: " + ", ".join(others)
    if re.search(r'^\s*provider\s+"', hcl, re.M):
        return "declares its own provider"
    if not re.search(r'^\s*(?:resource|data)\s+"', hcl, re.M):
        return "a fragment that declares nothing"
    return ""


def _test_steps(test: TestFunction, evaluator: Evaluator) -> tuple[list[str], list[str]]:
    """A test's step configurations, in order, and the configuration functions they call.

    Its locals (`rName := acctest.RandomWithPrefix(...)`, `comment1 := "comment1"`) are evaluated first;
    steps after one that expects an error are left out: their outcome is the error, not a plan."""
    scope: dict = {"<test>": True}
    for local in re.finditer(r"^\s*(\w+(?:\s*,\s*\w+)*)\s*:=\s*", test.body, re.M):
        names = [n.strip() for n in local.group(1).split(",")]
        try:
            value, _ = evaluator.expression(test.body[local.end():], scope)
        except (Unsupported, ValueError, IndexError):
            continue
        if len(names) == 1:
            scope[names[0]] = value
    configs, called = [], []
    marks = list(re.finditer(r"\bConfig:\s*", test.body))
    for index, mark in enumerate(marks):
        following = test.body[mark.end():marks[index + 1].start() if index + 1 < len(marks) else None]
        called += re.findall(r"\b(testAcc\w*Config\w*)\b", following.split("\n")[0])
        configs.append(evaluator.expression(test.body[mark.end():], scope)[0])
        if re.search(r"\bExpectError:", following):
            configs.pop()
            break
    return configs, called


def candidates(files: list[pathlib.Path], only: str | None) -> list[Candidate]:
    """The tests with Config steps, each a candidate; then the configuration functions no test step calls."""
    definitions, tests = read_definitions(files)
    evaluator = Evaluator(definitions, FUNCTIONS)
    found, covered, seen = [], set(), set()
    for test in tests:
        if only and not re.search(only, test.name):
            continue
        candidate = Candidate(test.name, test.source)
        try:
            candidate.configs, called = _test_steps(test, evaluator)
        except Unsupported as why:
            candidate.skipped, called = str(why), re.findall(r"\bConfig:\s*(testAcc\w*)", test.body)
        except (ValueError, IndexError) as why:
            candidate.skipped, called = f"could not be read ({why})", []
        covered.update(called)
        if not candidate.configs and not candidate.skipped:
            continue  # no Config steps: a unit test, or one that only imports
        if re.search(r"Disappears\(", test.body):
            candidate.skipped = "deletes its resources out of band (a _disappears test)"
        # The same steps under another test's name (a disappears or tags variant) would only run twice.
        key = tuple(re.sub(r"tf-acc-test-\d+", "NAME", c) for c in candidate.configs)
        if candidate.configs and key in seen and not candidate.skipped:
            continue
        seen.add(key)
        for hcl in candidate.configs:
            candidate.skipped = candidate.skipped or _why_not(hcl)
        found.append(candidate)
    # Configuration functions another one calls are its parts (a _base, a ConfigBase): not run alone.
    parts = {name for definition in definitions.values()
             for name in re.findall(r"\b(testAcc\w*Config\w*)\(", definition.body) if name != definition.name}
    for number, (name, definition) in enumerate(sorted(definitions.items())):
        if (not re.match(r"testAcc\w*Config", name) or name in covered or name in parts
                or (only and not re.search(only, name))):
            continue
        candidate = Candidate(name, definition.source)
        try:
            candidate.configs = [evaluator.call(name, arguments_for(definition, str(number)))]
        except Unsupported as why:
            candidate.skipped = str(why)
        except (ValueError, IndexError) as why:
            candidate.skipped = f"could not be read ({why})"
        if candidate.configs:
            candidate.skipped = _why_not(candidate.configs[0])
        found.append(candidate)
    return found


# -- running --------------------------------------------------------------------------------------------
def terraform_env(home: pathlib.Path) -> dict:
    from test_terraform import MIRRORS, _mirror

    mirror = _mirror()
    if shutil.which("terraform") is None or mirror is None:
        raise SystemExit("needs terraform on the PATH and AWS provider 5.100 in a filesystem mirror "
                         f"({', '.join(MIRRORS)}, or CLOUDFRONT_LOCAL_TF_PLUGINS)")
    cli_config = home / "terraform.rc"
    cli_config.write_text(
        'provider_installation {\n'
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }}\n'
        '  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }\n}\n')
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("AWS_") and name != "TF_PLUGIN_CACHE_DIR"}
    env.update({"TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
                "HOME": str(home)})
    return env


def _terraform(workdir, env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(["terraform", *args, "-input=false", "-no-color"], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=1200)


def _problem(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in (result.stderr + "\n" + result.stdout).splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or "error" in line]
    return " | ".join((errors or lines)[-6:])[:1500]


def _drift(plan: str) -> str:
    """What a non-empty plan wants to change: its resource headers and changed attribute lines."""
    keep = [line.strip() for line in plan.splitlines()
            if re.match(r"\s*# \S+ (must be replaced|will be updated|will be created|will be destroyed)", line)
            or re.match(r"\s*[~+-] \w+\s+= .*->", line) or "forces replacement" in line]
    return " | ".join(keep)[:2000]


def run_one(candidate: Candidate, env: dict, scratch: pathlib.Path, fixtures: pathlib.Path | None) -> None:
    from serving import RunningServer

    workdir = scratch / candidate.name
    workdir.mkdir()
    if fixtures is not None:  # configurations read files such as test-fixtures/cloudfront-public-key.pem
        shutil.copytree(fixtures, workdir / "test-fixtures")
    started = time.monotonic()
    with RunningServer() as server:
        variables = ["-var", f"endpoint={server.url}"]
        (workdir / "main.tf").write_text(PROVIDER_BLOCK + "\n" + candidate.configs[0])
        result = _terraform(workdir, env, "init")
        candidate.steps.append("init")
        if result.returncode != 0:
            candidate.result, candidate.detail = "INIT FAILED", _problem(result)
        for number, hcl in enumerate(candidate.configs if result.returncode == 0 else [], 1):
            label = f"step {number}: " if len(candidate.configs) > 1 else ""
            (workdir / "main.tf").write_text(PROVIDER_BLOCK + "\n" + hcl)
            result = _terraform(workdir, env, "apply", "-auto-approve", *variables)
            candidate.steps.append(f"apply {number}")
            if result.returncode != 0:
                candidate.result, candidate.detail = "APPLY FAILED", label + _problem(result)
                if re.search(r"Unsupported (argument|block type)|Invalid data source|Invalid resource type"
                             r"|expected \w+ to be one of|Missing required argument", result.stderr):
                    # Written for a newer provider than the 5.100.0 these runs use (a block, type or value it
                    # does not know yet, such as signing_protocol sigv4a, or an argument it still requires): it
                    # refused before sending anything.
                    candidate.result = "NEWER PROVIDER"
                break
            result = _terraform(workdir, env, "plan", "-detailed-exitcode", *variables)
            candidate.steps.append(f"plan {number}")
            if result.returncode != 0:
                candidate.result = "DRIFT" if result.returncode == 2 else "PLAN FAILED"
                candidate.detail = label + (_drift(result.stdout) if result.returncode == 2 else _problem(result))
                break
        # Destroy whatever happened, so that what a run made does not outlive its accounting.
        result = _terraform(workdir, env, "destroy", "-auto-approve", *variables)
        candidate.steps.append("destroy")
        if not candidate.result:
            if result.returncode != 0:
                candidate.result, candidate.detail = "DESTROY FAILED", _problem(result)
            else:
                candidate.result = "ok"
        internal = [line.strip() for line in server.lines if "internal error" in line or "Traceback" in line]
        if internal:
            candidate.result = candidate.result if candidate.result != "ok" else "SERVER ERROR"
            candidate.detail = (candidate.detail + " | server: " + internal[0])[:2000]
    candidate.seconds = time.monotonic() - started


def test_files(place: pathlib.Path) -> list[pathlib.Path]:
    folder = place / "internal" / "service" / "cloudfront"
    folder = folder if folder.is_dir() else place
    files = sorted(folder.glob("*_test.go"))
    if not files:
        raise SystemExit(f"no *_test.go files in {folder}")
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("provider", type=pathlib.Path, help="a provider checkout, or a directory of its "
                                                            "cloudfront *_test.go files")
    parser.add_argument("--only", help="run only the configurations whose function name matches this regex")
    parser.add_argument("--list", action="store_true", help="list what would run and what is skipped; run nothing")
    options = parser.parse_args(argv)
    files = test_files(options.provider)
    fixtures = files[0].parent / "test-fixtures"
    found = candidates(files, options.only)
    runnable = [c for c in found if not c.skipped]
    if not options.list and runnable:
        with tempfile.TemporaryDirectory() as scratch:
            home = pathlib.Path(scratch) / "home"
            home.mkdir()
            env = terraform_env(home)
            for candidate in runnable:
                print(f"... {candidate.name}", file=sys.stderr, flush=True)
                run_one(candidate, env, pathlib.Path(scratch), fixtures if fixtures.is_dir() else None)
                print(f"    {candidate.result} {candidate.seconds:.0f}s {candidate.detail}", file=sys.stderr,
                      flush=True)
    width = max((len(c.name) for c in found), default=10)
    print(f"{'configuration':{width}}  {'result':14} {'time':>6}  detail")
    for candidate in found:
        if candidate.skipped:
            print(f"{candidate.name:{width}}  {'skipped':14} {'':>6}  {candidate.skipped}")
        else:
            result = candidate.result or "listed"
            print(f"{candidate.name:{width}}  {result:14} {candidate.seconds:5.0f}s  {candidate.detail}")
    failed = [c for c in runnable if c.result and c.result not in ("ok", "NEWER PROVIDER")]
    steps = sum(len(c.configs) for c in runnable)
    print(f"\n{len(runnable)} runnable ({steps} configurations), {len(found) - len(runnable)} skipped, "
          f"{len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
