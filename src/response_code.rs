//! The server's response codes (`code` in every payload).
//!
//! One table below lists each code once: its variant, number, name and
//! message, as the official PHP SDK's catalogue has them
//! (`getkeymanager/php-sdk`, `src/ApiResponseCode.php`, commit
//! `85bcd566d122a9618a1787cbfeaa184447a708e5`; the same catalogue, as JSON,
//! is `testdata/gkm/response-codes.json`, and `tests/it/response_codes.rs`
//! checks the table against it). Every lookup is derived from the table.
//!
//! The messages are the catalogue's. The server's own wording can differ
//! (for 372 it sends "Meta key doesn't exists"), so compare codes, not
//! messages; the signed message is in [`Verified::message`](crate::Verified::message).
//! Codes the catalogue does not know keep their number: a [`ResponseCode`]
//! is the number, with the catalogue's codes as constants.

/// Builds `ResponseCode`'s constants and lookups from one list of
/// `(NAME, number, "message")`.
macro_rules! response_codes {
    ($(($name:ident, $code:literal, $message:literal),)+) => {
        impl ResponseCode {
            $(
                #[doc = concat!("`", stringify!($code), "`: ", $message)]
                pub const $name: ResponseCode = ResponseCode($code);
            )+

            /// Every code of the catalogue, in its order (104 codes).
            pub const KNOWN: [ResponseCode; [$($code,)+].len()] = [$(ResponseCode::$name,)+];

            /// The SDK's constant name (`INVALID_API_KEY`), `None` when
            /// the catalogue does not list the code.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($code => Some(stringify!($name)),)+
                    _ => None,
                }
            }

            /// The catalogue's message, `None` when it does not list the
            /// code.
            pub const fn message(self) -> Option<&'static str> {
                match self.0 {
                    $($code => Some($message),)+
                    _ => None,
                }
            }
        }
    };
}

response_codes! {
    (INVALID_API_KEY, 100, "Invalid API Key"),
    (INACTIVE_API_KEY, 101, "Inactive API Key"),
    (INSUFFICIENT_PERMISSIONS, 102, "The used API key doesn't have the required capability to access this endpoint"),
    (IP_NOT_ALLOWED, 103, "API key can't be used from this IP address"),
    (ACCESS_DENIED, 150, "Access denied"),
    (VALID_LICENSE_KEY, 200, "Valid license key"),
    (LICENSE_NOT_ASSIGNED, 201, "This license key is not assigned"),
    (NO_ACTIVATION_FOUND, 202, "No activation found for this license key/identifier combination"),
    (PRODUCT_INACTIVE, 203, "The product associated with this license key is not active or doesn't exist"),
    (LICENSE_BLOCKED, 204, "License key blocked"),
    (LICENSE_EXPIRED, 205, "License key expired"),
    (ENVATO_PURCHASE_CODE_ADDED, 206, "Envato purchase code added"),
    (INVALID_LICENSE_KEY, 210, "Invalid license key"),
    (IDENTIFIER_REQUIRED, 215, "Identifier is required"),
    (META_KEY_REQUIRED_DELETE, 250, "Meta key is required"),
    (META_KEY_NOT_EXISTS_DELETE, 251, "Meta key doesn't exist"),
    (METADATA_DELETED, 252, "Metadata deleted"),
    (PRODUCT_META_KEY_REQUIRED_CREATE, 270, "Meta key is required"),
    (PRODUCT_META_VALUE_REQUIRED_CREATE, 271, "Meta value is required"),
    (PRODUCT_META_KEY_ALREADY_EXISTS, 272, "Meta key already exists"),
    (PRODUCT_META_CREATED, 273, "Product meta created"),
    (PRODUCT_NOT_FOUND_META_CREATE, 274, "Product not found"),
    (LICENSE_ACTIVATED, 300, "License key activated"),
    (LICENSE_ALREADY_ACTIVE, 301, "License key already active"),
    (ACTIVATION_LIMIT_REACHED, 302, "License key reached activation limit"),
    (META_KEY_REQUIRED_UPDATE, 350, "Meta key is required"),
    (META_VALUE_REQUIRED_UPDATE, 351, "Meta value is required"),
    (META_KEY_NOT_EXISTS_UPDATE, 352, "Meta key doesn't exist"),
    (METADATA_UPDATED, 353, "Metadata updated"),
    (PRODUCT_META_KEY_REQUIRED_UPDATE, 370, "Meta key is required"),
    (PRODUCT_META_VALUE_REQUIRED_UPDATE, 371, "Meta value is required"),
    (PRODUCT_META_KEY_NOT_EXISTS_UPDATE, 372, "Meta key doesn't exist"),
    (PRODUCT_META_UPDATED, 373, "Product meta updated"),
    (PRODUCT_NOT_FOUND_META_UPDATE, 374, "Product not found"),
    (LICENSE_DEACTIVATED, 400, "License key deactivated"),
    (LICENSE_ALREADY_INACTIVE, 401, "License key already inactive"),
    (META_KEY_REQUIRED_CREATE, 450, "Meta key is required"),
    (META_VALUE_REQUIRED_CREATE, 451, "Meta value is required"),
    (META_KEY_ALREADY_EXISTS_CREATE, 452, "Meta key already exists"),
    (METADATA_CREATED, 453, "Metadata created"),
    (PRODUCT_META_KEY_REQUIRED_DELETE, 480, "Meta key is required"),
    (PRODUCT_META_KEY_NOT_EXISTS_DELETE, 481, "Meta key doesn't exist"),
    (PRODUCT_META_DELETED, 482, "Product meta deleted"),
    (PRODUCT_NOT_FOUND_META_DELETE, 483, "Product not found"),
    (ACTIVE_LICENSE_FOUND, 500, "Active license key found"),
    (LICENSE_KEY_NOT_FOUND_DETAILS, 501, "License key not found"),
    (LICENSE_FILE_RETRIEVED, 502, "License file retrieved successfully"),
    (LICENSE_FILE_GENERATION_FAILED, 503, "Failed to generate license file"),
    (PRODUCT_DELETED, 550, "Product deleted"),
    (PRODUCT_NOT_FOUND, 551, "Product not found"),
    (DOWNLOADS, 600, "Downloads"),
    (PRODUCT_FOUND, 631, "Product information retrieved successfully"),
    (PRODUCT_PUBLIC_KEY_FOUND, 632, "Public key retrieved successfully"),
    (PRODUCT_PUBLIC_KEY_NOT_FOUND, 633, "Public key not available for product"),
    (PRODUCT_UPDATED, 650, "Product updated"),
    (INCORRECT_DATA_PRODUCT_UPDATE, 651, "Incorrect data found"),
    (FILE_NOT_EXISTS, 700, "The request file doesn't exist"),
    (NO_PERMISSION_FILE, 701, "You don't have permission to access it"),
    (LICENSE_KEYS_LIST, 730, "License keys"),
    (PRODUCT_NOT_EXISTS_COUNT, 740, "Product doesn't exist"),
    (AVAILABLE_LICENSE_KEYS_COUNT, 741, "Available license keys count"),
    (PRODUCT_CREATED, 750, "Product created"),
    (INCORRECT_DATA_PRODUCT_CREATE, 751, "Incorrect data found"),
    (LICENSE_KEY_ASSIGNED, 800, "License key assigned"),
    (INVALID_OR_ALREADY_ASSIGNED, 801, "Invalid or already assigned license key"),
    (INSUFFICIENT_LICENSE_KEYS, 802, "Insufficient license keys"),
    (LICENSE_KEYS_ASSIGNED, 803, "License keys assigned"),
    (PRODUCT_NOT_FOUND_ASSIGN, 805, "Product not found"),
    (GENERATOR_NOT_FOUND_ASSIGN, 806, "Generator not found"),
    (REQUEST_QUEUED, 807, "Request Queued"),
    (ALL_PRODUCTS, 810, "All products"),
    (GENERATED_LICENSE_KEYS, 815, "Generated license keys"),
    (ALL_GENERATORS, 820, "All generators"),
    (INCORRECT_DATA_CONTRACT, 825, "Incorrect data found"),
    (CORRECT_FORMAT_TELEMETRY_SAVED, 830, "Correct format data saved"),
    (INCORRECT_FORMAT_TELEMETRY_SAVED, 831, "Incorrect format data saved"),
    (CONTRACT_CREATED, 841, "Contract created"),
    (CONTRACT_UPDATED, 842, "Contract updated"),
    (CONTRACT_DELETED, 843, "Contract deleted"),
    (CONTRACT_NOT_FOUND, 844, "Contract not found"),
    (ALL_CONTRACTS, 846, "All contracts"),
    (LICENSE_KEY_DELETED, 850, "License key deleted"),
    (LICENSE_KEY_NOT_FOUND, 851, "License key not found"),
    (LICENSE_KEYS_CREATION_RESULT, 900, "License keys creation result"),
    (INCORRECT_DATA_LICENSE_CREATE, 901, "Incorrect data found"),
    (NO_LICENSE_KEYS_CREATED, 902, "No license keys created"),
    (LICENSE_KEY_UPDATED, 950, "License keys updated"),
    (INCORRECT_DATA_LICENSE_UPDATE, 951, "Incorrect data found"),
    (LICENSE_KEY_NOT_FOUND_UPDATE, 952, "License key not found"),
    (TELEMETRY_DATA_FOUND, 970, "Unknown response code"),
    (CONTRACT_NOT_FOUND_INFO, 1200, "Contract not found"),
    (CONTRACT_PRODUCT_NOT_FOUND, 1202, "Product not found"),
    (CONTRACT_GENERATOR_NOT_FOUND, 1203, "Generator not found"),
    (CONTRACT_FOUND, 1204, "Contract found"),
    (LICENSE_KEYS_LIMIT_REACHED, 1205, "License keys limit reached"),
    (CANNOT_GENERATE_QUANTITY, 1206, "Cannot generate this quantity"),
    (CONTRACT_LICENSE_KEYS_GENERATED, 1300, "Contract license keys generated"),
    (CONTRACT_LICENSE_KEY_DELETED, 1400, "License key deleted"),
    (CONTRACT_LICENSE_KEY_NOT_FOUND, 1401, "License key not found"),
    (CONTRACT_LICENSE_KEYS_DELETED, 1500, "License keys deleted"),
    (CONTRACT_NO_LICENSE_KEYS_FOUND, 1501, "No license keys found"),
    (CHANGELOG_RETRIEVED, 1600, "Changelog retrieved successfully"),
    (CHANGELOG_DISABLED_GLOBALLY, 1601, "Changelog feature is disabled globally"),
    (CHANGELOG_DISABLED_FOR_PRODUCT, 1602, "Changelog not enabled for this product"),
}

/// A response code: a number, with the catalogue's codes as constants
/// (`ResponseCode::VALID_LICENSE_KEY`).
///
/// Like `http::StatusCode`, it is the number itself: two codes are equal
/// exactly when their numbers are, whether or not the catalogue lists them.
///
/// ```
/// use respsig::ResponseCode;
/// assert_eq!(ResponseCode::from_code(373), ResponseCode::PRODUCT_META_UPDATED);
/// assert_eq!(ResponseCode::PRODUCT_META_UPDATED.code(), 373);
/// assert_eq!(ResponseCode::from_code(373).name(), Some("PRODUCT_META_UPDATED"));
/// assert!(!ResponseCode::from_code(9999).is_known());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResponseCode(i64);

impl ResponseCode {
    /// The code for a number, listed or not.
    pub const fn from_code(code: i64) -> Self {
        ResponseCode(code)
    }

    /// The number.
    pub const fn code(self) -> i64 {
        self.0
    }

    /// Whether the catalogue lists this code.
    pub const fn is_known(self) -> bool {
        self.name().is_some()
    }
}

impl From<i64> for ResponseCode {
    fn from(code: i64) -> Self {
        ResponseCode::from_code(code)
    }
}

impl std::fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} {}", self.code(), name),
            None => write!(f, "{} (unknown)", self.code()),
        }
    }
}
