package io.keyhole.examples.crossdomain;

import io.keyhole.media.MediaPath;
import io.keyhole.servlet.CrossDomainMedia;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The example application's pages on the application host: sign in, the list of your files, and
 * a page per file that shows it from the media host. Plain servlet code, so that the few lines
 * that concern media stand out: {@link FileMediaAuth#fullMediaUrl(boolean)}.
 */
final class AppServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The session attribute holding the signed-in user's name. */
    static final String USER = "user";

    private final transient CrossDomainMedia media;
    private final transient MediaLibrary library;

    AppServlet(CrossDomainMedia media, MediaLibrary library) {
        this.media = media;
        this.library = library;
    }

    /** The signed-in user, or {@code null}. */
    static String userOf(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session == null ? null : (String) session.getAttribute(USER);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String path = req.getRequestURI().substring(req.getContextPath().length());
        String user = userOf(req);
        if (path.equals("/")) {
            page(res, 200, user == null ? loginForm("") : fileList(user));
        } else if (path.startsWith("/view/")) {
            MediaPath file = MediaPath.fromUrl(path.substring("/view/".length()));
            Optional<MediaLibrary.MediaFile> found = file == null ? Optional.empty() : library.find(file.value());
            if (found.isEmpty()) {
                page(res, 404, "<p>No such file.</p>");
            } else if (!found.get().isPublic() && !found.get().owner().equals(user)) {
                page(res, 403, "<p>This file is not yours. <a href=\"/\">Back</a></p>");
            } else {
                page(res, 200, viewer(found.get()));
            }
        } else {
            page(res, 404, "<p>Not found. <a href=\"/\">Home</a></p>");
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String path = req.getRequestURI().substring(req.getContextPath().length());
        if (path.equals("/login")) {
            String user = req.getParameter("user");
            String password = req.getParameter("password");
            if (user == null || password == null || !password.equals(MediaLibrary.ACCOUNTS.get(user))) {
                page(res, 401, loginForm("<p class=error>Unknown user or wrong password.</p>"));
                return;
            }
            // A new session id on sign-in, so that one planted before cannot be used after.
            HttpSession old = req.getSession(false);
            if (old != null) {
                old.invalidate();
            }
            req.getSession(true).setAttribute(USER, user);
            res.setStatus(303);
            res.setHeader("Location", "/");
        } else if (path.equals("/logout")) {
            HttpSession session = req.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            res.setStatus(303);
            res.setHeader("Location", "/");
        } else {
            res.sendError(404);
        }
    }

    private String loginForm(String error) {
        StringBuilder accounts = new StringBuilder();
        MediaLibrary.ACCOUNTS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(a ->
                accounts.append("<code>").append(a.getKey()).append(" / ").append(a.getValue()).append("</code> "));
        return "<h1>Sign in</h1>" + error
                + "<form method=post action=/login>"
                + "<label>User <input name=user id=user></label> "
                + "<label>Password <input name=password id=password type=password></label> "
                + "<button id=login>Sign in</button></form>"
                + "<p>Demo accounts: " + accounts + "</p>";
    }

    private String fileList(String user) {
        StringBuilder rows = new StringBuilder();
        for (MediaLibrary.MediaFile f : library.ownedBy(user)) {
            rows.append("<li><a href=\"/view/").append(MediaPath.of(f.path()).urlPath()).append("\">")
                    .append(escape(f.title())).append("</a></li>");
        }
        return "<h1>Your files, " + escape(user) + "</h1><ul id=files>" + rows + "</ul>"
                + "<form method=post action=/logout><button id=logout>Sign out</button></form>";
    }

    private String viewer(MediaLibrary.MediaFile file) {
        FileMediaAuth auth = new FileMediaAuth(media, file);
        // A URL with a token that is good for the next two minutes; the media host renews it later on its own.
        String url = escape(auth.fullMediaUrl(!file.isPublic()));
        String shown = switch (file.kind()) {
            case "image" -> "<img id=media alt=\"" + escape(file.title()) + "\" src=\"" + url + "\">";
            case "pdf" -> "<iframe id=media title=\"" + escape(file.title()) + "\" src=\"" + url
                    + "\" width=600 height=400></iframe>";
            case "video" -> "<video id=media controls muted playsinline src=\"" + url + "\" width=320></video>";
            default -> "";
        };
        return "<h1>" + escape(file.title()) + "</h1>" + shown
                + "<p><a id=open href=\"" + url + "\">Open it on its own</a> · <a href=\"/\">Your files</a></p>";
    }

    private void page(HttpServletResponse res, int status, String body) throws IOException {
        String logo = escape(media.settings().fullMediaUrl(MediaPath.of("public/logo.png"), false));
        byte[] html = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Keyhole cross-domain media</title>"
                + "<style>body{font-family:sans-serif;margin:2em;max-width:48em}.error{color:#b00}</style></head><body>"
                + "<img id=logo src=\"" + logo + "\" alt=\"\" width=32 height=32> " + body + "</body></html>")
                .getBytes(StandardCharsets.UTF_8);
        res.setStatus(status);
        res.setContentType("text/html;charset=utf-8");
        res.setHeader("Cache-Control", "no-store");
        res.setContentLength(html.length);
        res.getOutputStream().write(html);
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
