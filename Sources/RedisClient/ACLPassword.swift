/// A password as a Redis ACL rule can hold it: `#` and its SHA-256 in hex, so an ACL file or an
/// `ACL SETUSER` line holds no password in clear.
public enum ACLPassword {
    /// The rule for `password`, e.g. `#ba7816bf…` for `abc`.
    public static func hashed(_ password: String) -> String {
        "#" + SHA256.hexDigest(of: Array(password.utf8))
    }
}
