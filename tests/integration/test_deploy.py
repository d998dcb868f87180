"""deploy/ renders with kustomize and says what the controller needs, no more.

Renders deploy/base, deploy/overlays/deployment, deploy/overlays/daemonset and
deploy/overlays/namespaced with `kubectl kustomize` (offline; skipped when kubectl is not installed), and
deploy/cluster-examples together with the walkthrough's Ingresses. Python has
no YAML module here, so kustomize's output (block YAML in one canonical style)
is read by the small parser below, and the checks are on real structure.

Environment: SLUICE_REPO (the source tree).
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

REPO = os.environ.get("SLUICE_REPO") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEPLOY = os.path.join(REPO, "deploy")
KUBECTL = shutil.which("kubectl")

# Every (API group, resource) the controller's ClusterRole may name, and the
# verbs the code uses on it. The test fails on anything more, or less.
CLUSTER_ROLE = {
    ("networking.k8s.io", "ingresses"): {"get", "list", "watch"},
    ("networking.k8s.io", "ingressclasses"): {"get", "list", "watch"},
    ("", "services"): {"get", "list", "watch"},
    ("", "secrets"): {"get", "list", "watch"},
    ("discovery.k8s.io", "endpointslices"): {"get", "list", "watch"},
    ("", "configmaps"): {"get", "list", "watch"},  # --configmap's namespace
    ("networking.k8s.io", "ingresses/status"): {"update", "patch"},
    ("", "events"): {"create", "patch"},
    ("events.k8s.io", "events"): {"create", "patch"},
}
LEADER_ROLE = {("coordination.k8s.io", "leases"): {"get", "create", "update"}}
# The namespaced overlay: everything namespaced in a Role; only IngressClasses
# (cluster-scoped) stay in a ClusterRole, and no Secret is granted cluster-wide.
NAMESPACED_ROLE = {k: v for k, v in CLUSTER_ROLE.items() if k != ("networking.k8s.io", "ingressclasses")}
INGRESS_CLASS_ROLE = {("networking.k8s.io", "ingressclasses"): {"get", "list", "watch"}}
SERVICE_ACCOUNT = [{"kind": "ServiceAccount", "name": "sluice", "namespace": "sluice"}]

CONTROLLER_ARGS = [
    ["--http-listen", "0.0.0.0:8080"],
    ["--https-listen", "0.0.0.0:8443"],
    ["--admin-listen", "0.0.0.0:10254"],
    ["--publish-service", "$(POD_NAMESPACE)/sluice"],
]
SHUTDOWN_GRACE_SECONDS = 30  # sluice's --shutdown-grace default


# --- a YAML subset: what `kubectl kustomize` prints -------------------------

def _scalar(text):
    text = text.strip()
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text.startswith("[") or text.startswith("{"):
        return json.loads(text)  # [] and {}, or flow collections of JSON scalars
    if text in ("null", "~", ""):
        return None
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _split_key(text):
    """'key: value' or 'key:' -> (key, rest); None if text is not a mapping entry."""
    if text.startswith('"'):
        end = text.index('"', 1)
        while text[end - 1] == "\\":
            end = text.index('"', end + 1)
        key, rest = json.loads(text[:end + 1]), text[end + 1:]
    else:
        m = re.match(r"([^\s\"'\[\]{}#][^:]*?):(?=\s|$)", text)
        if not m:
            return None
        key, rest = m.group(1), text[m.end() - 1:]
    if not rest.startswith(":"):
        return None
    return key, rest[1:].strip()


class _Parser:
    def __init__(self, text):
        self.lines = [l.rstrip() for l in text.split("\n")
                      if l.strip() and not l.lstrip().startswith("#")]
        self.i = 0

    def parse(self):
        if not self.lines:
            return None
        value = self.block(_indent(self.lines[0]))
        if self.i != len(self.lines):
            raise ValueError(f"unparsed YAML from: {self.lines[self.i]!r}")
        return value

    def block(self, indent):
        if self.lines[self.i][indent:].startswith("- ") or self.lines[self.i][indent:] == "-":
            return self.sequence(indent)
        return self.mapping(indent)

    def sequence(self, indent):
        items = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if _indent(line) != indent or not (line[indent:] == "-" or line[indent:].startswith("- ")):
                break
            rest = line[indent + 2:]
            if not rest.strip():
                self.i += 1
                items.append(self.block(_indent(self.lines[self.i])))
            elif _split_key(rest.strip()) is not None:
                # "- key: value": a mapping whose keys sit two columns in.
                self.lines[self.i] = " " * (indent + 2) + rest
                items.append(self.mapping(indent + 2))
            else:
                self.i += 1
                items.append(_scalar(rest))
        return items

    def mapping(self, indent):
        result = {}
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if _indent(line) != indent or line[indent:].startswith("- "):
                break
            entry = _split_key(line[indent:])
            if entry is None:
                raise ValueError(f"not a mapping entry: {line!r}")
            key, rest = entry
            self.i += 1
            if rest in ("|", "|-", ">", ">-"):
                body = []
                while self.i < len(self.lines) and _indent(self.lines[self.i]) > indent:
                    body.append(self.lines[self.i].strip())
                    self.i += 1
                result[key] = ("\n" if rest[0] == "|" else " ").join(body)
            elif rest:
                result[key] = _scalar(rest)
            elif self.i < len(self.lines) and (
                    _indent(self.lines[self.i]) > indent or
                    (_indent(self.lines[self.i]) == indent and self.lines[self.i][indent:].startswith("- "))):
                result[key] = self.block(_indent(self.lines[self.i]))
            else:
                result[key] = None
        return result


def parse_yaml_stream(text):
    docs = re.split(r"^---\s*$", text, flags=re.M)
    return [d for d in (_Parser(doc).parse() for doc in docs) if d is not None]


# --- rendering ---------------------------------------------------------------

def kustomize(path, *extra):
    r = subprocess.run([KUBECTL, "kustomize", *extra, path], capture_output=True, text=True,
                       timeout=30, env={**os.environ, "KUBECONFIG": os.devnull})
    if r.returncode != 0:
        raise AssertionError(f"kubectl kustomize {path} failed:\n{r.stderr}")
    return parse_yaml_stream(r.stdout)


def by_kind(objects, kind):
    return [o for o in objects if o.get("kind") == kind]


def one(objects, kind, name):
    found = [o for o in by_kind(objects, kind) if o["metadata"]["name"] == name]
    if len(found) != 1:
        raise AssertionError(f"expected one {kind} {name}, found {len(found)}")
    return found[0]


def arg_pairs(args):
    return [args[i:i + 2] for i in range(len(args) - 1)]


class StaticTest(unittest.TestCase):
    """Checks that need no kubectl."""

    def test_the_image_runs_as_the_user_the_pods_expect(self):
        with open(os.path.join(REPO, "Dockerfile")) as f:
            dockerfile = f.read()
        final_stage = dockerfile[dockerfile.rindex("\nFROM "):]
        self.assertRegex(final_stage, r"(?m)^USER 65532(:65532)?$")
        self.assertRegex(final_stage, r'(?m)^ENTRYPOINT \["/usr/local/bin/sluice"\]$')
        for port in (8080, 8443, 10254):
            self.assertRegex(final_stage, rf"(?m)^EXPOSE .*\b{port}\b")

    def test_the_standalone_examples_folder_holds_only_files(self):
        # The standalone demo (and test_demo) read every entry of deploy/examples.
        top = os.path.join(DEPLOY, "examples")
        self.assertEqual([n for n in os.listdir(top) if not os.path.isfile(os.path.join(top, n))], [])

    def test_parses_the_shapes_kustomize_prints(self):
        text = ('a: 1\nb:\n  c: "x: y"\n  d:\n  - e: f\n    g: []\n  - h\n  - ""\n'
                'i: |-\n  line one\n  line two\nj: true\n---\nk: {}\n')
        self.assertEqual(parse_yaml_stream(text), [
            {"a": 1, "b": {"c": "x: y", "d": [{"e": "f", "g": []}, "h", ""]},
             "i": "line one\nline two", "j": True},
            {"k": {}},
        ])


@unittest.skipUnless(KUBECTL, "kubectl is not installed; deploy/ renders with `kubectl kustomize`")
class DeployTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = kustomize(os.path.join(DEPLOY, "base"))
        cls.deployment = kustomize(os.path.join(DEPLOY, "overlays", "deployment"))
        cls.daemonset = kustomize(os.path.join(DEPLOY, "overlays", "daemonset"))
        cls.namespaced = kustomize(os.path.join(DEPLOY, "overlays", "namespaced"))
        # The cluster-wide installs; `renders` adds the namespaced one for what they all share.
        cls.cluster_wide = {"base": cls.base, "overlays/deployment": cls.deployment,
                            "overlays/daemonset": cls.daemonset}
        cls.renders = {**cls.cluster_wide, "overlays/namespaced": cls.namespaced}

    def workload(self, objects):
        workloads = by_kind(objects, "Deployment") + by_kind(objects, "DaemonSet")
        self.assertEqual(len(workloads), 1, [w["kind"] for w in workloads])
        return workloads[0]

    def test_every_render_has_the_controller_objects(self):
        common = {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
                  "RoleBinding", "IngressClass", "Service"}
        for name, objects in self.renders.items():
            with self.subTest(render=name):
                self.assertLessEqual(common, {o["kind"] for o in objects})
                one(objects, "Namespace", "sluice")
                for o in objects:
                    if o["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding", "IngressClass"):
                        self.assertEqual(o["metadata"].get("namespace"), "sluice",
                                         f'{o["kind"]} {o["metadata"]["name"]}')

    def test_the_base_runs_one_deployment(self):
        self.assertEqual(self.workload(self.base)["kind"], "Deployment")
        self.assertEqual(by_kind(self.base, "DaemonSet"), [])

    def test_the_ingress_class_names_the_controller(self):
        for name, objects in self.renders.items():
            with self.subTest(render=name):
                ic = one(objects, "IngressClass", "sluice")
                self.assertEqual(ic["spec"]["controller"], "sluice.dev/ingress-controller")

    def assert_rules_exactly(self, rules, expected):
        granted = {}
        for rule in rules:
            self.assertNotIn("nonResourceURLs", rule)
            for field in ("apiGroups", "resources", "verbs"):
                self.assertNotIn("*", rule[field], rule)
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    key = (group, resource)
                    self.assertIn(key, expected, f"unexpected grant on {key}")
                    extra = set(rule["verbs"]) - expected[key]
                    self.assertFalse(extra, f"verbs {sorted(extra)} on {key} are not used")
                    granted.setdefault(key, set()).update(rule["verbs"])
        self.assertEqual(granted, expected)

    def test_the_cluster_role_grants_only_what_the_controller_uses(self):
        for name, objects in self.cluster_wide.items():
            with self.subTest(render=name):
                self.assertEqual(len(by_kind(objects, "ClusterRole")), 1)
                self.assert_rules_exactly(one(objects, "ClusterRole", "sluice")["rules"], CLUSTER_ROLE)
                binding = one(objects, "ClusterRoleBinding", "sluice")
                self.assertEqual(binding["roleRef"], {"apiGroup": "rbac.authorization.k8s.io",
                                                      "kind": "ClusterRole", "name": "sluice"})
                self.assertEqual(binding["subjects"], [{"kind": "ServiceAccount", "name": "sluice",
                                                        "namespace": "sluice"}])

    def test_leader_election_leases_are_granted_in_the_sluice_namespace_only(self):
        for name, objects in self.renders.items():
            with self.subTest(render=name):
                roles = [r for r in by_kind(objects, "Role") if r["metadata"]["name"] == "sluice-leader-election"]
                self.assertEqual(len(roles), 1)
                self.assert_rules_exactly(roles[0]["rules"], LEADER_ROLE)
                for rule in roles[0]["rules"]:
                    # Named rules must name the default --election-id.
                    self.assertIn(rule.get("resourceNames", ["sluice-leader"]), (["sluice-leader"],))
                bindings = [b for b in by_kind(objects, "RoleBinding")
                            if b["roleRef"]["name"] == "sluice-leader-election"]
                self.assertEqual(len(bindings), 1)
                self.assertEqual(bindings[0]["roleRef"]["name"], roles[0]["metadata"]["name"])
                self.assertEqual(bindings[0]["subjects"], [{"kind": "ServiceAccount", "name": "sluice",
                                                            "namespace": "sluice"}])

    def test_cluster_wide_installs_have_no_other_role(self):
        for name, objects in self.cluster_wide.items():
            with self.subTest(render=name):
                self.assertEqual([r["metadata"]["name"] for r in by_kind(objects, "Role")],
                                 ["sluice-leader-election"])
                self.assertNotIn("--watch-namespace", self.workload(objects)["spec"]["template"]["spec"]
                                 ["containers"][0]["args"])

    def test_the_namespaced_overlay_grants_by_role_and_reads_no_secret_cluster_wide(self):
        objects = self.namespaced
        cluster_roles = by_kind(objects, "ClusterRole")
        self.assertEqual([r["metadata"]["name"] for r in cluster_roles], ["sluice-ingressclasses"])
        self.assert_rules_exactly(cluster_roles[0]["rules"], INGRESS_CLASS_ROLE)
        (crb,) = by_kind(objects, "ClusterRoleBinding")
        self.assertEqual(crb["roleRef"], {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                          "name": "sluice-ingressclasses"})
        self.assertEqual(crb["subjects"], SERVICE_ACCOUNT)
        role = one(objects, "Role", "sluice")
        self.assertEqual(role["metadata"]["namespace"], "sluice")
        self.assert_rules_exactly(role["rules"], NAMESPACED_ROLE)
        binding = one(objects, "RoleBinding", "sluice")
        self.assertEqual(binding["metadata"]["namespace"], "sluice")
        self.assertEqual(binding["roleRef"], {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                              "name": "sluice"})
        self.assertEqual(binding["subjects"], SERVICE_ACCOUNT)

    def test_the_namespaced_overlay_watches_its_own_namespace_with_the_recommended_pod(self):
        workload = self.workload(self.namespaced)
        self.assertEqual(workload["kind"], "Deployment")
        self.assertEqual(workload["spec"]["replicas"], 2)
        self.assertEqual(len(by_kind(self.namespaced, "PodDisruptionBudget")), 1)
        args = workload["spec"]["template"]["spec"]["containers"][0]["args"]
        self.assertIn(["--watch-namespace", "$(POD_NAMESPACE)"], arg_pairs(args))
        # Otherwise the pod of the deployment overlay, unchanged.
        template = json.loads(json.dumps(workload["spec"]["template"]))
        container = template["spec"]["containers"][0]
        container["args"] = [a for a in container["args"] if a not in ("--watch-namespace", "$(POD_NAMESPACE)")]
        self.assertEqual(template, self.workload(self.deployment)["spec"]["template"])

    def test_the_pod_is_locked_down_and_probed_on_the_admin_port(self):
        for name, objects in self.renders.items():
            with self.subTest(render=name):
                pod = self.workload(objects)["spec"]["template"]["spec"]
                self.assertEqual(pod["serviceAccountName"], "sluice")
                self.assertGreater(pod["terminationGracePeriodSeconds"], SHUTDOWN_GRACE_SECONDS)
                self.assertNotIn("hostNetwork", pod)
                self.assertEqual(len(pod["containers"]), 1)
                c = pod["containers"][0]
                self.assertRegex(c["image"], r"^sluice:[\w.-]+$")
                sc = c["securityContext"]
                self.assertIs(sc["runAsNonRoot"], True)
                self.assertEqual(sc["runAsUser"], 65532)
                self.assertIs(sc["readOnlyRootFilesystem"], True)
                self.assertIs(sc["allowPrivilegeEscalation"], False)
                self.assertEqual(sc["capabilities"], {"drop": ["ALL"]})
                self.assertEqual(sc["seccompProfile"], {"type": "RuntimeDefault"})
                self.assertNotIn("privileged", sc)
                self.assertEqual(c["livenessProbe"]["httpGet"], {"path": "/healthz", "port": 10254})
                self.assertEqual(c["readinessProbe"]["httpGet"], {"path": "/readyz", "port": 10254})
                self.assertEqual(sorted(p["containerPort"] for p in c["ports"]), [8080, 8443, 10254])
                self.assertEqual(c["resources"]["requests"], {"cpu": "100m", "memory": "90Mi"})
                pairs = arg_pairs(c["args"])
                for pair in CONTROLLER_ARGS:
                    self.assertIn(pair, pairs)
                env = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in c["env"]}
                self.assertEqual(env.get("POD_NAME"), "metadata.name")
                self.assertEqual(env.get("POD_NAMESPACE"), "metadata.namespace")

    def test_the_load_balancer_service_reaches_the_pods(self):
        for name, objects in self.renders.items():
            with self.subTest(render=name):
                svc = one(objects, "Service", "sluice")["spec"]
                self.assertEqual(svc["type"], "LoadBalancer")
                self.assertEqual(svc["externalTrafficPolicy"], "Local")
                self.assertEqual(sorted((p["port"], p["targetPort"]) for p in svc["ports"]),
                                 [(80, 8080), (443, 8443)])
                template = self.workload(objects)["spec"]["template"]
                labels = template["metadata"]["labels"]
                self.assertEqual({k: labels.get(k) for k in svc["selector"]}, svc["selector"])
                # The admin port (metrics, debug) stays off the public Service.
                self.assertNotIn(10254, [p["targetPort"] for p in svc["ports"]])

    def test_the_deployment_overlay_runs_two_replicas_with_a_disruption_budget(self):
        workload = self.workload(self.deployment)
        self.assertEqual(workload["kind"], "Deployment")
        self.assertEqual(workload["spec"]["replicas"], 2)
        pdbs = by_kind(self.deployment, "PodDisruptionBudget")
        self.assertEqual(len(pdbs), 1)
        self.assertEqual(pdbs[0]["spec"]["minAvailable"], 1)
        labels = workload["spec"]["template"]["metadata"]["labels"]
        selector = pdbs[0]["spec"]["selector"]["matchLabels"]
        self.assertEqual({k: labels.get(k) for k in selector}, selector)
        anti = workload["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
        terms = anti["preferredDuringSchedulingIgnoredDuringExecution"]
        self.assertEqual([t["podAffinityTerm"]["topologyKey"] for t in terms], ["kubernetes.io/hostname"])
        self.assertNotIn("requiredDuringSchedulingIgnoredDuringExecution", anti)

    def test_the_daemonset_overlay_replaces_the_deployment(self):
        self.assertEqual(by_kind(self.daemonset, "Deployment"), [])
        self.assertEqual(len(by_kind(self.daemonset, "DaemonSet")), 1)
        # The same pod as the Deployment's: one template, two workload kinds.
        self.assertEqual(self.workload(self.daemonset)["spec"]["template"],
                         self.workload(self.base)["spec"]["template"])



@unittest.skipUnless(KUBECTL, "kubectl is not installed; deploy/ renders with `kubectl kustomize`")
class ClusterExamplesTest(unittest.TestCase):
    """deploy/cluster-examples plus deploy/examples/ingress.yaml is the walkthrough on a cluster."""

    @classmethod
    def setUpClass(cls):
        # kustomize only to normalise the YAML for the parser above.
        with tempfile.TemporaryDirectory(prefix="sluice-deploy-test.") as d:
            folder = os.path.join(DEPLOY, "cluster-examples")
            files = sorted(os.path.join(folder, n) for n in os.listdir(folder)
                           if n.endswith((".yaml", ".yml")))
            files.append(os.path.join(DEPLOY, "examples", "ingress.yaml"))
            with open(os.path.join(d, "kustomization.yaml"), "w") as f:
                f.write("resources:\n" + "".join(f"- {json.dumps(p)}\n" for p in files))
            cls.objects = kustomize(d, "--load-restrictor", "LoadRestrictionsNone")

    def test_each_ingress_backend_has_a_service_selecting_echo_pods(self):
        deployments = {d["metadata"]["name"]: d for d in by_kind(self.objects, "Deployment")}
        services = {s["metadata"]["name"]: s for s in by_kind(self.objects, "Service")}
        self.assertEqual(sorted(deployments), ["dev", "prod"])
        backends = set()
        for ing in by_kind(self.objects, "Ingress"):
            for rule in ing["spec"]["rules"]:
                for path in rule["http"]["paths"]:
                    svc = path["backend"]["service"]
                    backends.add((ing["metadata"].get("namespace", "default"), svc["name"],
                                  svc["port"]["number"]))
        self.assertEqual(backends, {("default", "dev", 80), ("default", "prod", 80)})
        for namespace, name, port in backends:
            with self.subTest(backend=name):
                svc, dep = services[name], deployments[name]
                self.assertEqual(svc["metadata"]["namespace"], namespace)
                self.assertEqual(dep["metadata"]["namespace"], namespace)
                labels = dep["spec"]["template"]["metadata"]["labels"]
                self.assertTrue(svc["spec"].get("selector"))
                self.assertEqual({k: labels.get(k) for k in svc["spec"]["selector"]}, svc["spec"]["selector"])
                (svc_port,) = [p for p in svc["spec"]["ports"] if p["port"] == port]
                (c,) = dep["spec"]["template"]["spec"]["containers"]
                container_ports = {p.get("name"): p["containerPort"] for p in c["ports"]}
                target = svc_port["targetPort"]
                self.assertEqual(container_ports.get(target, target), 8080)
                self.assertRegex(c["image"], r"^sluice:[\w.-]+$")
                self.assertEqual(c["args"], ["echo", "--listen", "0.0.0.0:8080", "--name", "$(POD_NAME)"])
                env = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in c["env"]}
                self.assertEqual(env, {"POD_NAME": "metadata.name"})


if __name__ == "__main__":
    unittest.main()
