package io.keyhole.examples.crossdomain;

import io.keyhole.servlet.CrossDomainMedia;
import io.keyhole.servlet.CrossDomainMediaAuth;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Who may see a {@link MediaLibrary.MediaFile}: everybody for public files, else only the owner,
 * as the session says. This is the one class an application writes for its kind of media.
 */
final class FileMediaAuth extends CrossDomainMediaAuth<MediaLibrary.MediaFile> {

    FileMediaAuth(CrossDomainMedia media, MediaLibrary.MediaFile file) {
        super(media, file);
    }

    @Override
    public boolean isMediaPublic() {
        return context().isPublic();
    }

    @Override
    public boolean hasPermission(HttpServletRequest request) {
        return context().owner().equals(AppServlet.userOf(request));
    }

    @Override
    public String mediaFilePath() {
        return context().path();
    }

}
