/**
 * Reading granted files: step 3 of a request. A {@link io.keyhole.storage.Storage} opens a file
 * once, after the grant, and the {@link io.keyhole.storage.OpenedFile} it returns is what gets
 * sent, whatever happens at its name meanwhile. {@link io.keyhole.storage.LocalStorage} is the
 * hashed tree or media root on a local file system; a bucket is to follow behind the same
 * interface.
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
