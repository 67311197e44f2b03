/* The IMAP poller's bookkeeping (jobs/imap_poller.c): which UID is
 * remembered after a pass, and the parsing of the server's answers. The
 * whole poller runs against a real Dovecot in tests/http/mail-in.test.mjs. */
#include <criterion/criterion.h>

#include "jobs/imap_poller.h"

Test(imap_poller, the_last_uid_advances_over_every_message_taken)
{
	int64_t uids[] = {4, 5, 9};
	bool taken[] = {true, true, true};
	cr_assert_eq(imap_last_uid_after(3, uids, taken, 3), 9);
}

Test(imap_poller, a_failed_message_stops_the_last_uid_before_it_so_the_next_poll_retries_it)
{
	int64_t uids[] = {4, 5, 9};
	bool taken[] = {true, false, true};
	cr_assert_eq(imap_last_uid_after(3, uids, taken, 3), 4);
	bool first_failed[] = {false, true, true};
	cr_assert_eq(imap_last_uid_after(3, uids, first_failed, 3), 3);
	cr_assert_eq(imap_last_uid_after(3, uids, taken, 0), 3);
}

Test(imap_poller, reads_uidvalidity_from_an_examine_answer)
{
	cr_assert_eq(imap_parse_uidvalidity("* 1 EXISTS\r\n* OK [UIDVALIDITY 1795703603] UIDs valid\r\n"),
	             1795703603);
	cr_assert_eq(imap_parse_uidvalidity("* OK [UIDNEXT 2] Predicted next UID\r\n"), 0);
	cr_assert_eq(imap_parse_uidvalidity("* OK [UIDVALIDITY x]"), 0);
	cr_assert_eq(imap_parse_uidvalidity("* OK [UIDVALIDITY 99999999999]"), 0);
}

Test(imap_poller, search_answers_keep_only_new_uids_sorted_once)
{
	int64_t uids[8];
	int n = imap_parse_search("* SEARCH 9 4 5 4 2\r\n", 3, uids, 8);
	cr_assert_eq(n, 3);
	cr_assert_eq(uids[0], 4);
	cr_assert_eq(uids[1], 5);
	cr_assert_eq(uids[2], 9);
	/* "UID SEARCH UID 10:*" answers the highest UID even when it is below 10. */
	cr_assert_eq(imap_parse_search("* SEARCH 9\r\n", 9, uids, 8), 0);
	cr_assert_eq(imap_parse_search("* SEARCH\r\n", 0, uids, 8), 0);
	cr_assert_eq(imap_parse_search("* SEARCH 1 2 3 4 5\r\n", 0, uids, 2), 2);
}

Test(imap_poller, the_mailbox_key_drops_the_password)
{
	char key[256];
	cr_assert_eq(imap_mailbox_key("imaps://suporte:s3nha@mail.example.com/INBOX", key, sizeof key), 0);
	cr_assert_str_eq(key, "imaps://suporte@mail.example.com/INBOX");
	cr_assert_eq(imap_mailbox_key("http://x/", key, sizeof key), -1);
	cr_assert_eq(imap_mailbox_key("not a url", key, sizeof key), -1);
}
