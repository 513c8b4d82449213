"""
Validates rendered Kubernetes manifests offline (tools/deploy-check/check.sh):

1. every resource against the Kubernetes OpenAPI schemas shipped by
   kubernetes-validate (strict: unknown fields are errors), and custom
   resources (Strimzi KafkaTopic) against the schemas vendored in ./schemas;
   a kind with no schema at all is an error, never a silent skip;
2. Sigil's deployment rules, which no schema can express (HPA maximum within
   the Kafka partitions, grace period above the app's drain time, probes on
   the health endpoints, secrets by reference only, ...).

usage: validate.py --kubernetes-version 1.30.0 rendered.yaml [...]
"""
import argparse
import json
import os
import re
import sys

import jsonschema
import kubernetes_validate
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SECRET_LIKE = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$|DATABASE_URL|REDIS_URL")


def crd_schema(resource):
    group_version = resource.get("apiVersion", "").replace("/", "_")
    path = os.path.join(HERE, "schemas", f"{group_version}_{resource.get('kind')}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def schema_errors(resource, version):
    where = f"{resource.get('kind')}/{resource.get('metadata', {}).get('name')}"
    try:
        kubernetes_validate.validate(resource, version, strict=True)
        return []
    except kubernetes_validate.SchemaNotFoundError:
        schema = crd_schema(resource)
        if schema is None:
            return [f"{where}: no schema for {resource.get('apiVersion')} {resource.get('kind')} (vendor one in tools/deploy-check/schemas)"]
        validator = jsonschema.Draft7Validator(schema)
        return [f"{where}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(resource)]
    except kubernetes_validate.ValidationError as e:
        return [f"{where}: {'/'.join(map(str, e.path))}: {e.message}"]


def by_kind(resources, kind):
    return [r for r in resources if r.get("kind") == kind]


def policy_errors(resources):
    errors = []
    configmaps = {r["metadata"]["name"]: r.get("data", {}) for r in by_kind(resources, "ConfigMap")}
    topics = by_kind(resources, "KafkaTopic")
    # Schema errors are reported above; the rules look only at well-typed values.
    partitions = {t["spec"]["partitions"] for t in topics if isinstance(t.get("spec", {}).get("partitions"), int)}
    if not topics:
        errors.append("no KafkaTopic resources rendered")
    elif len(partitions) != 1:
        errors.append(f"KafkaTopics have different partition counts {sorted(partitions)}: replicas are capped by the smallest")
    min_partitions = min(partitions) if partitions else 0

    for secret in by_kind(resources, "Secret"):
        if secret.get("data") or secret.get("stringData"):
            errors.append(f"Secret/{secret['metadata']['name']}: secret values must not be in the manifests; reference them")

    deployments = {d["metadata"]["name"]: d for d in by_kind(resources, "Deployment")}
    services = {s["metadata"]["name"]: s for s in by_kind(resources, "Service")}
    pdbs = {p["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/name") for p in by_kind(resources, "PodDisruptionBudget")}
    policies = {n["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name") for n in by_kind(resources, "NetworkPolicy")}
    jobs = {j["metadata"]["name"]: j for j in by_kind(resources, "Job")}
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in by_kind(resources, "HorizontalPodAutoscaler")}

    for name, deployment in deployments.items():
        where = f"Deployment/{name}"
        pod = deployment["spec"]["template"]["spec"]
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            errors.append(f"{where}: pod securityContext.runAsNonRoot must be true")
        for c in pod["containers"]:
            sc = c.get("securityContext", {})
            if not sc.get("readOnlyRootFilesystem") or sc.get("allowPrivilegeEscalation") is not False:
                errors.append(f"{where}/{c['name']}: needs readOnlyRootFilesystem: true and allowPrivilegeEscalation: false")
            res = c.get("resources", {})
            for section in ("requests", "limits"):
                for key in ("cpu", "memory"):
                    if key not in res.get(section, {}):
                        errors.append(f"{where}/{c['name']}: resources.{section}.{key} missing")
            if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/health/live":
                errors.append(f"{where}/{c['name']}: livenessProbe must GET /health/live")
            if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/health/ready":
                errors.append(f"{where}/{c['name']}: readinessProbe must GET /health/ready")
            image = c.get("image", "")
            if ":" not in image.split("/")[-1] or image.endswith(":latest"):
                errors.append(f"{where}/{c['name']}: image {image!r} needs a pinned tag")
            env = {}
            for ref in c.get("envFrom", []):
                env.update(configmaps.get(ref.get("configMapRef", {}).get("name"), {}))
            for var in c.get("env", []):
                if "value" in var and SECRET_LIKE.search(var["name"]):
                    errors.append(f"{where}/{c['name']}: {var['name']} must come from a Secret reference, not a value")
                env.setdefault(var["name"], var.get("value"))
            grace_ms = int(env.get("SHUTDOWN_GRACE_MS") or 10000)
            pre_stop = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
            pre_stop_ms = int(pre_stop[1]) * 1000 if len(pre_stop) == 2 and pre_stop[0] == "sleep" else 0
            termination_ms = int(pod.get("terminationGracePeriodSeconds", 30)) * 1000
            if termination_ms <= grace_ms + pre_stop_ms:
                errors.append(f"{where}: terminationGracePeriodSeconds ({termination_ms} ms) must exceed preStop + SHUTDOWN_GRACE_MS ({pre_stop_ms + grace_ms} ms)")
            port = env.get("PORT")
            if port and int(port) not in [p["containerPort"] for p in c.get("ports", [])]:
                errors.append(f"{where}: PORT {port} is not a containerPort")
            if env.get("KAFKA_TOPIC_PARTITIONS") and int(env["KAFKA_TOPIC_PARTITIONS"]) != min_partitions:
                errors.append(f"{where}: KAFKA_TOPIC_PARTITIONS={env['KAFKA_TOPIC_PARTITIONS']} differs from the KafkaTopics' {min_partitions} partitions")
            namespace = env.get("SIGIL_KAFKA_NAMESPACE", "sigil")
            foreign = [t["spec"].get("topicName") for t in topics if not t["spec"].get("topicName", "").startswith(namespace + ".")]
            if foreign:
                errors.append(f"{where}: topics outside SIGIL_KAFKA_NAMESPACE '{namespace}': {foreign[:3]}")
            if "DATABASE_URL" in env:
                if str(env.get("MIGRATIONS_RUN_ON_START")).lower() != "false":
                    errors.append(f"{where}: MIGRATIONS_RUN_ON_START must be 'false' (the migration Job migrates)")
                job = jobs.get(f"{name}-migrate")
                if not job:
                    errors.append(f"{where}: no migration Job {name}-migrate")
                else:
                    command = job["spec"]["template"]["spec"]["containers"][0].get("command", [])
                    script = next((a for a in command if a.endswith("migrate.js")), "")
                    source = os.path.join(REPO, script.replace("dist/", "", 1).replace(".js", ".ts"))
                    if not script or not os.path.exists(source):
                        errors.append(f"Job/{name}-migrate: runs {script or command}, but {os.path.relpath(source, REPO)} does not exist")
        if name not in services:
            errors.append(f"{where}: no Service")
        if name not in pdbs:
            errors.append(f"{where}: no PodDisruptionBudget")
        if name not in policies:
            errors.append(f"{where}: no NetworkPolicy")
        hpa = hpas.get(name)
        if not hpa:
            errors.append(f"{where}: no HorizontalPodAutoscaler")
        elif hpa["spec"]["maxReplicas"] > min_partitions:
            errors.append(f"HorizontalPodAutoscaler/{name}: maxReplicas {hpa['spec']['maxReplicas']} > {min_partitions} Kafka partitions; extra replicas would idle")
    return errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubernetes-version", action="append", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    failed = False
    for path in args.files:
        with open(path) as f:
            resources = [r for r in yaml.safe_load_all(f) if r]
        errors = []
        for version in args.kubernetes_version:
            for resource in resources:
                errors += [f"[k8s {version}] {e}" for e in schema_errors(resource, version)]
        errors += policy_errors(resources)
        kinds = {}
        for r in resources:
            kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
        if errors:
            failed = True
            print(f"FAIL {path}: {len(errors)} problem(s)")
            for e in errors:
                print(f"  - {e}")
        else:
            summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
            print(f"ok   {path}: {len(resources)} resources valid for Kubernetes {', '.join(args.kubernetes_version)} ({summary})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
