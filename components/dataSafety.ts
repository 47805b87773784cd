/**
 * What `pulumi destroy` (and a replacement) leaves of the data (config `dataSafety`). Where the data is:
 * - Prometheus and Alertmanager volumes: PVCs of the StatefulSets the operator makes from the CRs
 *   (`prometheus-<name>-db-prometheus-<name>-<i>`); deleting a CR deletes its StatefulSet, and the
 *   StatefulSet's persistentVolumeClaimRetentionPolicy decides whether the PVCs go with it (Kubernetes
 *   StatefulSetPersistentVolumeClaimRetentionPolicy: default Retain; the CR field copies it: prometheus-operator
 *   pkg/prometheus/server/statefulset.go, pkg/alertmanager/statefulset.go);
 * - Tempo: the ingesters' volumeClaimTemplate PVCs (tempo-distributed `ingester.persistentVolumeClaimRetentionPolicy`),
 *   and the one-pod MinIO's PVC, a resource of this program;
 * - Grafana: its database PVC, rendered by the chart, which helm.v4.Chart keeps on delete when it is annotated
 *   `helm.sh/resource-policy: keep` (pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go preregister);
 * - and all of them are deleted with their namespace: deleting a Namespace deletes everything in it.
 * So keeping data = keeping the namespaces that hold it (retainOnDelete), the PVCs the program or a chart
 * declares, and StatefulSet PVCs (Retain). Not keeping it = deleting StatefulSet PVCs with their StatefulSet
 * too, so that a destroyed dev stack leaves no volume behind, also in namespaces it does not own (a team's).
 */
import type * as pulumi from "@pulumi/pulumi";

export interface DataSafety {
  /** Keep what holds data on destroy and replacement. */
  keep: boolean;
  /** Also protect it (`pulumi destroy` refuses). */
  protect: boolean;
}

/** Resource options for what holds data. */
export function dataOptions(d: DataSafety | undefined): pulumi.CustomResourceOptions {
  if (!d?.keep) return {};
  return { retainOnDelete: true, ...(d.protect ? { protect: true } : {}) };
}

/** A StatefulSet's PVC retention (Prometheus/Alertmanager CR field, same shape). */
export function pvcRetentionPolicy(d: DataSafety | undefined): { whenDeleted: "Retain" | "Delete"; whenScaled: "Retain" } {
  // Scaling down keeps the volumes either way: scaling back up finds its data.
  return { whenDeleted: d?.keep ? "Retain" : "Delete", whenScaled: "Retain" };
}

/** The annotation that makes helm.v4.Chart register a rendered object with retainOnDelete. */
export const HELM_KEEP_ANNOTATION = { "helm.sh/resource-policy": "keep" };
