/// The catalog compiled into the binary, used when the settings name no `catalog` file.
///
/// It is `Config/catalog.json` word for word (a test compares the two), so a process started from any
/// folder, with no settings file at all, sells the same products as one started in the repository.
enum BuiltInCatalog {
    /// The catalog's JSON.
    static let json = """
        {
          "currency": "USD",
          "items": [
            { "sku": "BOOK-1", "name": "Distributed Systems in Practice", "price": 1250, "stock": 1000000 },
            { "sku": "MUG-1", "name": "Switchboard mug", "price": 900, "stock": 50 },
            { "sku": "PEN-1", "name": "Ballpoint pen", "price": 150, "stock": 0 }
          ]
        }

        """
}
