extension String {
    /// The string followed by spaces up to `width` characters, a column of the commands' tables; a longer
    /// string is left as it is.
    func padding(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
