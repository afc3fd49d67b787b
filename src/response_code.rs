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
//! Codes the catalogue does not know are kept as [`ResponseCode::Unknown`].

/// Builds `ResponseCode` and its lookups from one list of
/// `(Variant, number, "NAME", "message")`.
macro_rules! response_codes {
    ($(($variant:ident, $code:literal, $name:literal, $message:literal),)+) => {
        /// A response code: one of the catalogue's, or an unknown number.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ResponseCode {
            $(
                #[doc = concat!("`", stringify!($code), "` (", $name, "): ", $message)]
                $variant,
            )+
            /// A code the catalogue does not list.
            Unknown(i64),
        }

        impl ResponseCode {
            /// Every code of the catalogue, in its order (104 codes).
            pub const KNOWN: [ResponseCode; [$($code,)+].len()] = [$(ResponseCode::$variant,)+];

            /// The code for a number; unknown numbers are kept.
            pub const fn from_code(code: i64) -> Self {
                match code {
                    $($code => ResponseCode::$variant,)+
                    other => ResponseCode::Unknown(other),
                }
            }

            /// The number.
            pub const fn code(self) -> i64 {
                match self {
                    $(ResponseCode::$variant => $code,)+
                    ResponseCode::Unknown(code) => code,
                }
            }

            /// The SDK's constant name (`INVALID_API_KEY`), `None` when unknown.
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $(ResponseCode::$variant => Some($name),)+
                    ResponseCode::Unknown(_) => None,
                }
            }

            /// The catalogue's message, `None` when unknown.
            pub const fn message(self) -> Option<&'static str> {
                match self {
                    $(ResponseCode::$variant => Some($message),)+
                    ResponseCode::Unknown(_) => None,
                }
            }
        }
    };
}

response_codes! {
    (InvalidApiKey, 100, "INVALID_API_KEY", "Invalid API Key"),
    (InactiveApiKey, 101, "INACTIVE_API_KEY", "Inactive API Key"),
    (InsufficientPermissions, 102, "INSUFFICIENT_PERMISSIONS", "The used API key doesn't have the required capability to access this endpoint"),
    (IpNotAllowed, 103, "IP_NOT_ALLOWED", "API key can't be used from this IP address"),
    (AccessDenied, 150, "ACCESS_DENIED", "Access denied"),
    (ValidLicenseKey, 200, "VALID_LICENSE_KEY", "Valid license key"),
    (LicenseNotAssigned, 201, "LICENSE_NOT_ASSIGNED", "This license key is not assigned"),
    (NoActivationFound, 202, "NO_ACTIVATION_FOUND", "No activation found for this license key/identifier combination"),
    (ProductInactive, 203, "PRODUCT_INACTIVE", "The product associated with this license key is not active or doesn't exist"),
    (LicenseBlocked, 204, "LICENSE_BLOCKED", "License key blocked"),
    (LicenseExpired, 205, "LICENSE_EXPIRED", "License key expired"),
    (EnvatoPurchaseCodeAdded, 206, "ENVATO_PURCHASE_CODE_ADDED", "Envato purchase code added"),
    (InvalidLicenseKey, 210, "INVALID_LICENSE_KEY", "Invalid license key"),
    (IdentifierRequired, 215, "IDENTIFIER_REQUIRED", "Identifier is required"),
    (MetaKeyRequiredDelete, 250, "META_KEY_REQUIRED_DELETE", "Meta key is required"),
    (MetaKeyNotExistsDelete, 251, "META_KEY_NOT_EXISTS_DELETE", "Meta key doesn't exist"),
    (MetadataDeleted, 252, "METADATA_DELETED", "Metadata deleted"),
    (ProductMetaKeyRequiredCreate, 270, "PRODUCT_META_KEY_REQUIRED_CREATE", "Meta key is required"),
    (ProductMetaValueRequiredCreate, 271, "PRODUCT_META_VALUE_REQUIRED_CREATE", "Meta value is required"),
    (ProductMetaKeyAlreadyExists, 272, "PRODUCT_META_KEY_ALREADY_EXISTS", "Meta key already exists"),
    (ProductMetaCreated, 273, "PRODUCT_META_CREATED", "Product meta created"),
    (ProductNotFoundMetaCreate, 274, "PRODUCT_NOT_FOUND_META_CREATE", "Product not found"),
    (LicenseActivated, 300, "LICENSE_ACTIVATED", "License key activated"),
    (LicenseAlreadyActive, 301, "LICENSE_ALREADY_ACTIVE", "License key already active"),
    (ActivationLimitReached, 302, "ACTIVATION_LIMIT_REACHED", "License key reached activation limit"),
    (MetaKeyRequiredUpdate, 350, "META_KEY_REQUIRED_UPDATE", "Meta key is required"),
    (MetaValueRequiredUpdate, 351, "META_VALUE_REQUIRED_UPDATE", "Meta value is required"),
    (MetaKeyNotExistsUpdate, 352, "META_KEY_NOT_EXISTS_UPDATE", "Meta key doesn't exist"),
    (MetadataUpdated, 353, "METADATA_UPDATED", "Metadata updated"),
    (ProductMetaKeyRequiredUpdate, 370, "PRODUCT_META_KEY_REQUIRED_UPDATE", "Meta key is required"),
    (ProductMetaValueRequiredUpdate, 371, "PRODUCT_META_VALUE_REQUIRED_UPDATE", "Meta value is required"),
    (ProductMetaKeyNotExistsUpdate, 372, "PRODUCT_META_KEY_NOT_EXISTS_UPDATE", "Meta key doesn't exist"),
    (ProductMetaUpdated, 373, "PRODUCT_META_UPDATED", "Product meta updated"),
    (ProductNotFoundMetaUpdate, 374, "PRODUCT_NOT_FOUND_META_UPDATE", "Product not found"),
    (LicenseDeactivated, 400, "LICENSE_DEACTIVATED", "License key deactivated"),
    (LicenseAlreadyInactive, 401, "LICENSE_ALREADY_INACTIVE", "License key already inactive"),
    (MetaKeyRequiredCreate, 450, "META_KEY_REQUIRED_CREATE", "Meta key is required"),
    (MetaValueRequiredCreate, 451, "META_VALUE_REQUIRED_CREATE", "Meta value is required"),
    (MetaKeyAlreadyExistsCreate, 452, "META_KEY_ALREADY_EXISTS_CREATE", "Meta key already exists"),
    (MetadataCreated, 453, "METADATA_CREATED", "Metadata created"),
    (ProductMetaKeyRequiredDelete, 480, "PRODUCT_META_KEY_REQUIRED_DELETE", "Meta key is required"),
    (ProductMetaKeyNotExistsDelete, 481, "PRODUCT_META_KEY_NOT_EXISTS_DELETE", "Meta key doesn't exist"),
    (ProductMetaDeleted, 482, "PRODUCT_META_DELETED", "Product meta deleted"),
    (ProductNotFoundMetaDelete, 483, "PRODUCT_NOT_FOUND_META_DELETE", "Product not found"),
    (ActiveLicenseFound, 500, "ACTIVE_LICENSE_FOUND", "Active license key found"),
    (LicenseKeyNotFoundDetails, 501, "LICENSE_KEY_NOT_FOUND_DETAILS", "License key not found"),
    (LicenseFileRetrieved, 502, "LICENSE_FILE_RETRIEVED", "License file retrieved successfully"),
    (LicenseFileGenerationFailed, 503, "LICENSE_FILE_GENERATION_FAILED", "Failed to generate license file"),
    (ProductDeleted, 550, "PRODUCT_DELETED", "Product deleted"),
    (ProductNotFound, 551, "PRODUCT_NOT_FOUND", "Product not found"),
    (Downloads, 600, "DOWNLOADS", "Downloads"),
    (ProductFound, 631, "PRODUCT_FOUND", "Product information retrieved successfully"),
    (ProductPublicKeyFound, 632, "PRODUCT_PUBLIC_KEY_FOUND", "Public key retrieved successfully"),
    (ProductPublicKeyNotFound, 633, "PRODUCT_PUBLIC_KEY_NOT_FOUND", "Public key not available for product"),
    (ProductUpdated, 650, "PRODUCT_UPDATED", "Product updated"),
    (IncorrectDataProductUpdate, 651, "INCORRECT_DATA_PRODUCT_UPDATE", "Incorrect data found"),
    (FileNotExists, 700, "FILE_NOT_EXISTS", "The request file doesn't exist"),
    (NoPermissionFile, 701, "NO_PERMISSION_FILE", "You don't have permission to access it"),
    (LicenseKeysList, 730, "LICENSE_KEYS_LIST", "License keys"),
    (ProductNotExistsCount, 740, "PRODUCT_NOT_EXISTS_COUNT", "Product doesn't exist"),
    (AvailableLicenseKeysCount, 741, "AVAILABLE_LICENSE_KEYS_COUNT", "Available license keys count"),
    (ProductCreated, 750, "PRODUCT_CREATED", "Product created"),
    (IncorrectDataProductCreate, 751, "INCORRECT_DATA_PRODUCT_CREATE", "Incorrect data found"),
    (LicenseKeyAssigned, 800, "LICENSE_KEY_ASSIGNED", "License key assigned"),
    (InvalidOrAlreadyAssigned, 801, "INVALID_OR_ALREADY_ASSIGNED", "Invalid or already assigned license key"),
    (InsufficientLicenseKeys, 802, "INSUFFICIENT_LICENSE_KEYS", "Insufficient license keys"),
    (LicenseKeysAssigned, 803, "LICENSE_KEYS_ASSIGNED", "License keys assigned"),
    (ProductNotFoundAssign, 805, "PRODUCT_NOT_FOUND_ASSIGN", "Product not found"),
    (GeneratorNotFoundAssign, 806, "GENERATOR_NOT_FOUND_ASSIGN", "Generator not found"),
    (RequestQueued, 807, "REQUEST_QUEUED", "Request Queued"),
    (AllProducts, 810, "ALL_PRODUCTS", "All products"),
    (GeneratedLicenseKeys, 815, "GENERATED_LICENSE_KEYS", "Generated license keys"),
    (AllGenerators, 820, "ALL_GENERATORS", "All generators"),
    (IncorrectDataContract, 825, "INCORRECT_DATA_CONTRACT", "Incorrect data found"),
    (CorrectFormatTelemetrySaved, 830, "CORRECT_FORMAT_TELEMETRY_SAVED", "Correct format data saved"),
    (IncorrectFormatTelemetrySaved, 831, "INCORRECT_FORMAT_TELEMETRY_SAVED", "Incorrect format data saved"),
    (ContractCreated, 841, "CONTRACT_CREATED", "Contract created"),
    (ContractUpdated, 842, "CONTRACT_UPDATED", "Contract updated"),
    (ContractDeleted, 843, "CONTRACT_DELETED", "Contract deleted"),
    (ContractNotFound, 844, "CONTRACT_NOT_FOUND", "Contract not found"),
    (AllContracts, 846, "ALL_CONTRACTS", "All contracts"),
    (LicenseKeyDeleted, 850, "LICENSE_KEY_DELETED", "License key deleted"),
    (LicenseKeyNotFound, 851, "LICENSE_KEY_NOT_FOUND", "License key not found"),
    (LicenseKeysCreationResult, 900, "LICENSE_KEYS_CREATION_RESULT", "License keys creation result"),
    (IncorrectDataLicenseCreate, 901, "INCORRECT_DATA_LICENSE_CREATE", "Incorrect data found"),
    (NoLicenseKeysCreated, 902, "NO_LICENSE_KEYS_CREATED", "No license keys created"),
    (LicenseKeyUpdated, 950, "LICENSE_KEY_UPDATED", "License keys updated"),
    (IncorrectDataLicenseUpdate, 951, "INCORRECT_DATA_LICENSE_UPDATE", "Incorrect data found"),
    (LicenseKeyNotFoundUpdate, 952, "LICENSE_KEY_NOT_FOUND_UPDATE", "License key not found"),
    (TelemetryDataFound, 970, "TELEMETRY_DATA_FOUND", "Unknown response code"),
    (ContractNotFoundInfo, 1200, "CONTRACT_NOT_FOUND_INFO", "Contract not found"),
    (ContractProductNotFound, 1202, "CONTRACT_PRODUCT_NOT_FOUND", "Product not found"),
    (ContractGeneratorNotFound, 1203, "CONTRACT_GENERATOR_NOT_FOUND", "Generator not found"),
    (ContractFound, 1204, "CONTRACT_FOUND", "Contract found"),
    (LicenseKeysLimitReached, 1205, "LICENSE_KEYS_LIMIT_REACHED", "License keys limit reached"),
    (CannotGenerateQuantity, 1206, "CANNOT_GENERATE_QUANTITY", "Cannot generate this quantity"),
    (ContractLicenseKeysGenerated, 1300, "CONTRACT_LICENSE_KEYS_GENERATED", "Contract license keys generated"),
    (ContractLicenseKeyDeleted, 1400, "CONTRACT_LICENSE_KEY_DELETED", "License key deleted"),
    (ContractLicenseKeyNotFound, 1401, "CONTRACT_LICENSE_KEY_NOT_FOUND", "License key not found"),
    (ContractLicenseKeysDeleted, 1500, "CONTRACT_LICENSE_KEYS_DELETED", "License keys deleted"),
    (ContractNoLicenseKeysFound, 1501, "CONTRACT_NO_LICENSE_KEYS_FOUND", "No license keys found"),
    (ChangelogRetrieved, 1600, "CHANGELOG_RETRIEVED", "Changelog retrieved successfully"),
    (ChangelogDisabledGlobally, 1601, "CHANGELOG_DISABLED_GLOBALLY", "Changelog feature is disabled globally"),
    (ChangelogDisabledForProduct, 1602, "CHANGELOG_DISABLED_FOR_PRODUCT", "Changelog not enabled for this product"),
}

impl ResponseCode {
    /// Whether the catalogue lists this code.
    pub const fn is_known(self) -> bool {
        !matches!(self, ResponseCode::Unknown(_))
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
