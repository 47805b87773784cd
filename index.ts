/**
 * The Pulumi program: read and validate the stack config, build the explicit Kubernetes provider, declare
 * the MonitoringStack, export its endpoints. Nothing else lives here (components/ holds the logic).
 *
 * Exported as a function: Pulumi calls it and exports what it returns; tests and `npm run plan` call it once
 * per stack under mocks.
 */
import * as k8s from "@pulumi/kubernetes";
import { loadStackConfig } from "./components/config/runtime";
import { MonitoringStack } from "./components/stack";

export = async () => {
  // Throws a StackConfigError (a Pulumi RunError: the CLI prints it without a stack trace) listing every
  // problem, before any resource is registered.
  const config = loadStackConfig();
  const provider = new k8s.Provider(`${config.cluster.name}-k8s`, {
    context: config.kubernetes.context,
    kubeconfig: config.kubernetes.kubeconfig,
    // Replace the provider (and so plan to replace every resource) only if the cluster's identity changes,
    // not when the kubeconfig context is renamed (@pulumi/kubernetes ProviderArgs.clusterIdentifier).
    clusterIdentifier: config.cluster.name,
    // Deploying into a cluster that kept the data of an earlier destroy (dataSafety.adoptKept): take over the
    // kept namespaces and volumes instead of failing with AlreadyExists (pulumi-kubernetes >= 4.29 creates
    // with a plain create unless upsertExistingObjects: provider/pkg/await/await.go).
    ...(config.dataSafety.adoptKept ? { upsertExistingObjects: true } : {}),
  });
  const stack = new MonitoringStack(config.cluster.name, { config }, { providers: { kubernetes: provider } });
  return { cluster: config.cluster.name, ...stack.outputs() };
};
