/**
 * Pod Security Standards for what the program declares (pure): the security contexts its own pods use, the
 * namespace labels that enforce a level, and a checker of a pod template against a level.
 *
 * The checks follow the Pod Security Admission implementation (kubernetes/kubernetes
 * staging/src/k8s.io/pod-security-admission/policy/check_*.go; levels as in the Pod Security Standards page):
 * baseline: no hostNetwork/hostPID/hostIPC, no privileged container, no hostPath volume, no hostPort other
 *   than 0, added capabilities only from the default set;
 * restricted: baseline plus runAsNonRoot (pod, or every container), no runAsUser 0, allowPrivilegeEscalation
 *   false and capabilities drop ALL (add only NET_BIND_SERVICE) on every container, seccomp RuntimeDefault or
 *   Localhost (pod, or every container), volumes only of the listed kinds.
 * And what the kubelet refuses at start (pkg/kubelet/kuberuntime/security_context_others.go verifyRunAsNonRoot):
 * runAsNonRoot with no numeric runAsUser on an image whose USER is a name (the Prometheus, Alertmanager and
 * config-reloader images run as `nobody`): so every restricted context here sets runAsUser.
 */

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";
export const POD_SECURITY_LEVELS: PodSecurityLevel[] = ["privileged", "baseline", "restricted"];

/** The labels that make Pod Security Admission enforce (and audit, warn) a level in a namespace (version: latest). */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/audit": level,
    "pod-security.kubernetes.io/warn": level,
  };
}

/** Only audit and warn a level (namespaces whose workloads are not the program's, e.g. a team's). */
export function podSecurityWarnLabels(level: PodSecurityLevel): Record<string, string> {
  return { "pod-security.kubernetes.io/audit": level, "pod-security.kubernetes.io/warn": level };
}

/** The level a namespace enforces, from its labels (no label: privileged, PSA's default). */
export function enforcedLevel(labels: Record<string, string> | undefined): PodSecurityLevel {
  const v = labels?.["pod-security.kubernetes.io/enforce"];
  return v === "baseline" || v === "restricted" ? v : "privileged";
}

/** A restricted pod securityContext: a numeric non-root user and group, fsGroup for the volumes, seccomp RuntimeDefault. */
export function restrictedPodSecurityContext(uid: number, gid = uid, fsGroup = gid) {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup, seccompProfile: { type: "RuntimeDefault" } };
}

/**
 * Prometheus pods: kube-prometheus-stack's prometheusSpec.securityContext (values.yaml, 88.5.3): uid 1000,
 * gid/fsGroup 2000 (fsGroup makes the kubelet give the data volume to that group), seccomp RuntimeDefault.
 * The operator adds allowPrivilegeEscalation false, readOnlyRootFilesystem and drop ALL to every container
 * (prometheus, config-reloader, init-config-reloader: pkg/prometheus/server/statefulset.go,
 * pkg/operator/config_reloader.go, v0.93) — OPERATOR_CONTAINER_SECURITY_CONTEXT.
 */
export const PROMETHEUS_POD_SECURITY_CONTEXT = restrictedPodSecurityContext(1000, 2000);
/** Alertmanager pods: kube-prometheus-stack's alertmanagerSpec.securityContext (the same numbers). */
export const ALERTMANAGER_POD_SECURITY_CONTEXT = restrictedPodSecurityContext(1000, 2000);
/** What prometheus-operator v0.93 puts on every container it generates (see above). */
export const OPERATOR_CONTAINER_SECURITY_CONTEXT = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };

/** A restricted container securityContext (read-only root filesystem: what the program's containers allow). */
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };

// ---------------------------------------------------------------------------------------------------
// Checker

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}

export interface ContainerSpec {
  name: string;
  securityContext?: SecurityContext;
  ports?: { hostPort?: number }[];
  resources?: { requests?: { memory?: unknown }; limits?: { memory?: unknown } };
}

export interface PodSpecLike {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  volumes?: Record<string, unknown>[];
}

/** Capabilities baseline allows adding (check_capabilities_baseline.go). */
const BASELINE_CAPABILITIES = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"];
/** Volume kinds restricted allows (check_restrictedVolumes.go). */
const RESTRICTED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/** Every violation of `level` in a pod template, each naming the container or field; [] when it passes. */
export function podSecurityProblems(pod: PodSpecLike, level: PodSecurityLevel): string[] {
  if (level === "privileged") return [];
  const out: string[] = [];
  const all = [...(pod.initContainers ?? []), ...pod.containers];
  for (const f of ["hostNetwork", "hostPID", "hostIPC"] as const) if (pod[f]) out.push(`${f}: true`);
  for (const v of pod.volumes ?? []) if (v.hostPath) out.push(`volume ${String(v.name)}: hostPath`);
  for (const c of all) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) out.push(`container ${c.name}: privileged`);
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`container ${c.name}: hostPort ${p.hostPort}`);
    const extra = (sc.capabilities?.add ?? []).filter((x) => !BASELINE_CAPABILITIES.includes(x));
    if (extra.length) out.push(`container ${c.name}: adds capabilities ${extra.join(", ")}`);
  }
  if (level === "baseline") return out;

  for (const v of pod.volumes ?? []) {
    const kind = Object.keys(v).find((k) => k !== "name");
    if (kind && !RESTRICTED_VOLUMES.includes(kind) && kind !== "hostPath") out.push(`volume ${String(v.name)}: ${kind} is not allowed`);
  }
  const podSc = pod.securityContext ?? {};
  if (podSc.runAsUser === 0) out.push("securityContext.runAsUser: 0");
  for (const c of all) {
    const sc = c.securityContext ?? {};
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (nonRoot !== true) out.push(`container ${c.name}: runAsNonRoot is not true`);
    if (sc.runAsUser === 0) out.push(`container ${c.name}: runAsUser 0`);
    if ((sc.runAsUser ?? podSc.runAsUser) === undefined) out.push(`container ${c.name}: no numeric runAsUser (an image with a named USER does not start under runAsNonRoot)`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`container ${c.name}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) out.push(`container ${c.name}: capabilities.drop does not include ALL`);
    const added = (sc.capabilities?.add ?? []).filter((x) => x !== "NET_BIND_SERVICE");
    if (added.length) out.push(`container ${c.name}: adds capabilities ${added.join(", ")}`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") out.push(`container ${c.name}: seccompProfile is not RuntimeDefault or Localhost`);
  }
  return out;
}

/** Containers without a memory request or a memory limit. */
export function memoryProblems(pod: PodSpecLike): string[] {
  const out: string[] = [];
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    if (c.resources?.requests?.memory === undefined) out.push(`container ${c.name}: no memory request`);
    if (c.resources?.limits?.memory === undefined) out.push(`container ${c.name}: no memory limit`);
  }
  return out;
}

/**
 * The pod prometheus-operator v0.93 generates for a Prometheus or Alertmanager CR (pure model, for checks):
 * the CR's spec.securityContext on the pod; the main container (prometheus | alertmanager) with
 * spec.resources, plus config-reloader and init-config-reloader with the operator's --config-reloader-*
 * resources (kube-prometheus-stack passes prometheusOperator.prometheusConfigReloader.resources, 0 = none:
 * templates/prometheus-operator/deployment.yaml); every container with OPERATOR_CONTAINER_SECURITY_CONTEXT;
 * volumes of the kinds it mounts (secret, configMap, emptyDir or the PVC, projected). spec.containers
 * overrides (strategic merge by name) are applied.
 */
export function operatorPodSpec(kind: "Prometheus" | "Alertmanager", spec: Record<string, any>, reloaderResources: ContainerSpec["resources"]): PodSpecLike {
  const main = kind === "Prometheus" ? "prometheus" : "alertmanager";
  const override = (c: ContainerSpec, list: any[] | undefined): ContainerSpec => {
    const o = (list ?? []).find((x) => x.name === c.name);
    return o ? { ...c, ...o, securityContext: { ...c.securityContext, ...o.securityContext }, resources: o.resources ?? c.resources } : c;
  };
  const base = (name: string, resources: ContainerSpec["resources"]): ContainerSpec => ({ name, securityContext: { ...OPERATOR_CONTAINER_SECURITY_CONTEXT }, resources });
  return {
    securityContext: spec.securityContext,
    containers: [base(main, spec.resources), base("config-reloader", reloaderResources)].map((c) => override(c, spec.containers)),
    initContainers: [override(base("init-config-reloader", reloaderResources), spec.initContainers)],
    volumes: [
      { name: "config", secret: {} },
      { name: "config-out", emptyDir: {} },
      { name: "tls-assets", projected: {} },
      spec.storage?.volumeClaimTemplate ? { name: "db", persistentVolumeClaim: {} } : { name: "db", emptyDir: {} },
    ],
  };
}

/** The config-reloader resources the operator chart's values give every reloader (the four flags; 0 or unset = none). */
export function reloaderResourcesOf(operatorValues: Record<string, any> | undefined): ContainerSpec["resources"] {
  const r = operatorValues?.prometheusOperator?.prometheusConfigReloader?.resources ?? {};
  const pick = (x: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(x ?? {}).filter(([k, v]) => (k === "cpu" || k === "memory") && v !== undefined && v !== 0 && v !== "0"));
  return { requests: pick(r.requests), limits: pick(r.limits) };
}
