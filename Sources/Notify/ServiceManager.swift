internal import CSystemd

/// Talks to the service manager through `sd_notify`; does nothing outside systemd.
public enum ServiceManager {
    public static func notify(_ state: String) {
        _ = sd_notify(0, state)
    }
}
