//! goAML reports for the service's end-to-end tests.

/// A person on one side of a transaction.
pub struct Holder<'a> {
    pub first: &'a str,
    pub last: &'a str,
    pub birth: &'a str,
    pub id_number: &'a str,
    pub account: &'a str,
    pub bic: &'a str,
}

/// A goAML STR with one transfer from `from` (not our client) to `to` (our client).
pub fn str_report(
    rentity: i64,
    reference: &str,
    number: &str,
    amount: &str,
    from: &Holder,
    to: &Holder,
) -> String {
    let person = |h: &Holder, mine: bool| {
        let birth = if h.birth.is_empty() {
            String::new()
        } else {
            format!("<birthdate>{}T00:00:00</birthdate>", h.birth)
        };
        let id = if h.id_number.is_empty() {
            String::new()
        } else {
            format!("<id_number>{}</id_number>", h.id_number)
        };
        let nat = if mine {
            "<nationality1>TJ</nationality1>"
        } else {
            ""
        };
        format!("<t_person><first_name>{}</first_name><last_name>{}</last_name>{birth}{id}{nat}</t_person>", h.first, h.last)
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<report>
  <rentity_id>{rentity}</rentity_id>
  <submission_code>E</submission_code>
  <report_code>STR</report_code>
  <entity_reference>{reference}</entity_reference>
  <submission_date>2026-03-02T10:00:00</submission_date>
  <currency_code_local>TJS</currency_code_local>
  <reason>Rapid movement of funds</reason>
  <transaction>
    <transactionnumber>{number}</transactionnumber>
    <transaction_location>HQ</transaction_location>
    <transaction_description>transfer</transaction_description>
    <date_transaction>2026-02-27T09:15:00</date_transaction>
    <transmode_code>E</transmode_code>
    <amount_local>{amount}</amount_local>
    <t_from>
      <from_funds_code>E</from_funds_code>
      <from_account><swift>{fb}</swift><account>{fa}</account><signatory><is_primary>1</is_primary>{fp}</signatory></from_account>
      <from_country>TJ</from_country>
    </t_from>
    <t_to_my_client>
      <to_funds_code>E</to_funds_code>
      <to_account><swift>{tb}</swift><account>{ta}</account><signatory><is_primary>1</is_primary>{tp}</signatory></to_account>
      <to_country>TJ</to_country>
    </t_to_my_client>
  </transaction>
</report>"#,
        fb = from.bic,
        fa = from.account,
        fp = person(from, false),
        tb = to.bic,
        ta = to.account,
        tp = person(to, true),
    )
}

pub const JAMSHED_CYR: Holder = Holder {
    first: "Джамшед",
    last: "Рахимов",
    birth: "1985-03-14",
    id_number: "A1234567",
    account: "A100",
    bic: "NXTJB1XX",
};
pub const JAMSHED_LAT: Holder = Holder {
    first: "Jamshed",
    last: "Rakhimov",
    birth: "1985-03-14",
    id_number: "",
    account: "A900",
    bic: "NXTJB2XX",
};
pub const OTHER: Holder = Holder {
    first: "Farrukh",
    last: "Nazarov",
    birth: "",
    id_number: "",
    account: "A555",
    bic: "NXTJB9XX",
};
