//! `recoupe watch`: the watchlist a desk keeps with its index.

use crate::util::TestEnv;

#[test]
fn watches_are_added_listed_tested_and_removed_in_a_file_people_can_edit() {
    let env = TestEnv::with_samples();
    env.run(&["index", "--quiet"]).expect_code(0);
    env.run(&["watch", "add", "al-Charaa", "--label", "président syrien"])
        .expect_code(0);
    env.run(&["watch", "add", "Damas -Moscou", "--strict"])
        .expect_code(0);
    // The same query again, case aside, is refused and names the first.
    let again = env.run(&["watch", "add", "AL-CHARAA"]);
    again.expect_code(2);
    assert!(again.stderr.contains("already watched"), "{}", again.stderr);

    let list = env.run(&["watch", "list"]);
    list.expect_code(0);
    assert_eq!(
        list.stdout.lines().collect::<Vec<_>>(),
        [
            "al-Charaa | label: président syrien",
            "Damas -Moscou | strict"
        ]
    );
    let json = env.run(&["watch", "list", "--json"]);
    let first: serde_json::Value =
        serde_json::from_str(json.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["label"], "président syrien");
    assert_eq!(first["strict"], false);

    // A line written by hand that cannot be read is named by file and line;
    // the others still count.
    let file = env.index.join("watchlist.txt");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("Idlib | colour: red\n");
    std::fs::write(&file, text).unwrap();
    let list = env.run(&["watch", "list"]);
    list.expect_code(2);
    assert_eq!(list.stdout.lines().count(), 2);
    assert!(
        list.stderr.contains("watchlist.txt:5: unknown option"),
        "{}",
        list.stderr
    );

    // Testing a watch by its label runs its query over the whole index, as
    // a search would (its spellings included).
    let test = env.run(&["watch", "test", "président syrien", "--json"]);
    test.expect_code(0);
    let search = env.run(&["search", "al-Charaa", "--json"]);
    assert_eq!(test.stdout, search.stdout);
    let none = env.run(&["watch", "test", "Zzyzxqw"]);
    none.expect_code(1);

    env.run(&["watch", "remove", "président syrien"])
        .expect_code(0);
    env.run(&["watch", "remove", "président syrien"])
        .expect_code(1);
    let list = env.run(&["watch", "list"]);
    assert!(!list.stdout.contains("al-Charaa"), "{}", list.stdout);
    assert!(list.stdout.contains("Damas -Moscou | strict"));
}
