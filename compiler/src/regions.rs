//! What archc knows of AWS regions: the availability-zone letters each one has, for the
//! networks' default zones and the check that a zone exists (`A003`).

/// The availability-zone letters of each region that every account has (us-west-1 shows each
/// account two of its three). Source: AWS Regions and Availability Zones, `aws ec2
/// describe-availability-zones`. A region not listed here is not checked.
const ZONE_LETTERS: &[(&str, &str)] = &[
    ("af-south-1", "abc"),
    ("ap-east-1", "abc"),
    ("ap-northeast-1", "acd"),
    ("ap-northeast-2", "abcd"),
    ("ap-northeast-3", "abc"),
    ("ap-south-1", "abc"),
    ("ap-south-2", "abc"),
    ("ap-southeast-1", "abc"),
    ("ap-southeast-2", "abc"),
    ("ap-southeast-3", "abc"),
    ("ap-southeast-4", "abc"),
    ("ca-central-1", "abd"),
    ("ca-west-1", "abc"),
    ("eu-central-1", "abc"),
    ("eu-central-2", "abc"),
    ("eu-north-1", "abc"),
    ("eu-south-1", "abc"),
    ("eu-south-2", "abc"),
    ("eu-west-1", "abc"),
    ("eu-west-2", "abc"),
    ("eu-west-3", "abc"),
    ("il-central-1", "abc"),
    ("me-central-1", "abc"),
    ("me-south-1", "abc"),
    ("sa-east-1", "abc"),
    ("us-east-1", "abcdef"),
    ("us-east-2", "abc"),
    ("us-west-1", "abc"),
    ("us-west-2", "abcd"),
];

/// Zones that exist only for some accounts: the Tokyo region's `b`, for accounts created before
/// 2018. Accepted, never chosen by default.
const LEGACY_ZONES: &[(&str, char)] = &[("ap-northeast-1", 'b')];

/// The zones a network gets when it lists none: the region's first three (two where it has two).
pub fn default_zones(region: &str) -> Vec<String> {
    let letters = ZONE_LETTERS
        .iter()
        .find(|(r, _)| *r == region)
        .map_or("abc", |(_, letters)| *letters);
    letters.chars().take(3).map(String::from).collect()
}

/// The zone letters every account has in `region`, if archc knows the region.
pub fn zone_letters(region: &str) -> Option<&'static str> {
    ZONE_LETTERS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, letters)| *letters)
}

/// Whether zone `letter` can exist in `region` (a region archc does not know: assumed so).
pub fn zone_exists(region: &str, letter: &str) -> bool {
    let mut chars = letter.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return false;
    };
    zone_letters(region).is_none_or(|letters| letters.contains(c))
        || LEGACY_ZONES.iter().any(|(r, l)| *r == region && *l == c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_follow_the_region() {
        assert_eq!(default_zones("ap-northeast-1"), ["a", "c", "d"]);
        assert_eq!(default_zones("ca-central-1"), ["a", "b", "d"]);
        assert_eq!(default_zones("us-east-1"), ["a", "b", "c"]);
        assert!(zone_exists("ap-northeast-1", "b"), "the legacy Tokyo zone");
        assert!(!zone_exists("us-east-2", "d"));
        assert!(
            zone_exists("xx-unknown-1", "q"),
            "an unknown region is not checked"
        );
        assert!(!zone_exists("us-east-1", "ab"));
    }
}
