/**
 * Reading granted files: step 3 of a request. A {@link io.keyhole.storage.Storage} opens a file
 * once, after the grant, and the {@link io.keyhole.storage.OpenedFile} it returns is what gets
 * sent, whatever happens at its name meanwhile. {@link io.keyhole.storage.LocalStorage} is the
 * hashed tree or media root on a local file system; an S3-compatible bucket ({@code keyhole-s3})
 * sits behind the same interface, found by {@link io.keyhole.storage.StorageProvider} and started
 * by {@link io.keyhole.storage.Storages}. A remote storage streams what it opened and says so by
 * having no {@link io.keyhole.storage.OpenedFile#fileChannel()}: renderers then copy, not map.
 *
 * <pre>{@code
 * Optional<OpenedFile> opened = tree.storage().open(tree.relativePathOf(id));  // after the grant
 * try (OpenedFile file = opened.orElseThrow();
 *      ReadableByteChannel body = file.range(0, file.size())) {
 *     // copy body to the response
 * }
 * }</pre>
 */
package io.keyhole.storage;
