package pixq.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import pixq.recipe.Json;

/**
 * Refuses, on every route of serve's port, a request that a web page made rather than a client of this
 * machine: a Host that is not an address serve listens on (a DNS-rebinding page names its own host) and
 * an Origin that is not serve's own (any other page: a cross-origin POST with text/plain needs no
 * preflight, so a browser would send it). AWS's CLI and SDKs send no Origin and name 127.0.0.1:PORT or
 * localhost:PORT; a request without Host (HTTP/1.0) comes from no browser.
 */
final class HostGuard extends Filter {
    private static final ObjectMapper JSON = Json.MAPPER;
    private final InetAddress bound;
    private final int port;

    HostGuard(InetSocketAddress listening) {
        this.bound = listening.getAddress();
        this.port = listening.getPort();
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        String host = exchange.getRequestHeaders().getFirst("Host");
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (host != null && !allowed(host.strip())) {
            refuse(exchange, "this server answers only requests addressed to it (Host " + host + " is not)");
        } else if (origin != null && (host == null || !origin.strip().equalsIgnoreCase("http://" + host.strip()))) {
            refuse(exchange, "requests from other web pages are refused (Origin " + origin + ")");
        } else {
            chain.doFilter(exchange);
        }
    }

    @Override
    public String description() {
        return "Host and Origin must be serve's own";
    }

    /** NAME[:PORT]: the port serve listens on, and a name of the address it listens on. */
    boolean allowed(String host) {
        int colon = host.lastIndexOf(':');
        boolean bracketed = host.startsWith("[");
        String name = host;
        if (colon > 0 && (!bracketed || colon > host.indexOf(']'))) {
            if (!host.substring(colon + 1).equals(Integer.toString(port))) {
                return false;
            }
            name = host.substring(0, colon);
        }
        name = name.toLowerCase(Locale.ROOT);
        String literal = bracketed && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
        if (!literal.matches("[0-9.]+|[0-9a-f:]+")) {
            // a name: only "localhost", for a loopback or every-address socket (a DNS name could be anyone's)
            return name.equals("localhost") && (bound.isLoopbackAddress() || bound.isAnyLocalAddress());
        }
        try {
            InetAddress named = InetAddress.getByName(literal); // a literal: no lookup
            if (bound.isAnyLocalAddress()) {
                return true;
            }
            return named.equals(bound) || (bound.isLoopbackAddress() && named.isLoopbackAddress());
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static void refuse(HttpExchange exchange, String message) throws IOException {
        byte[] body = JSON.writeValueAsBytes(Map.of("Type", "User", "message", message));
        exchange.getResponseHeaders().set("x-amzn-ErrorType", "AccessDeniedException");
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Connection", "close");
        exchange.sendResponseHeaders(403, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        exchange.close();
    }
}
