/** Tempo (tempo-distributed) and, for clusters without object storage, the MinIO it keeps its blocks in. */
export * from "./tempo";
export { declareMinio, MINIO_BUCKET, MINIO_PORT, minioServiceName, MinioSettings } from "./minio";
