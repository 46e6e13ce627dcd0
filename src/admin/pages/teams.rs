//! The Teams page: list, create, edit and delete teams (their working hours, time zone,
//! holidays, urgent deadline and the countries and languages they serve), and moving a staff
//! member to a team from the Staff page. Settings are parsed when saved
//! ([`TeamSettings::parse`]); the form comes back with every problem named by its field.
//! Deleting a team is refused while it has members or open cases.

use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{AdminState, Fields, audited_then, failure, page, post_guard, signed_in};
use crate::admin::auth::Session;
use crate::admin::html::{Esc, button, csrf_field, errors};
use crate::admin::{Admin, AdminError};
use crate::handoff::teams::{Team, TeamError, TeamForm, TeamSettings, TeamTexts};
use crate::staff::StaffMember;

impl From<TeamError> for AdminError {
    fn from(e: TeamError) -> AdminError {
        AdminError::Teams(e)
    }
}

fn form_of(fields: &Fields) -> TeamForm<'_> {
    TeamForm {
        name: fields.get("name"),
        hours: fields.get("hours"),
        timezone: fields.get("timezone"),
        holidays: fields.get("holidays"),
        urgent_deadline_min: fields.get("urgent_deadline_min"),
        countries: fields.get("countries"),
        languages: fields.get("languages"),
    }
}

fn texts_of(form: &TeamForm<'_>) -> TeamTexts {
    TeamTexts {
        name: form.name.to_owned(),
        hours: form.hours.to_owned(),
        timezone: form.timezone.to_owned(),
        holidays: form.holidays.to_owned(),
        urgent_deadline_min: form.urgent_deadline_min.to_owned(),
        countries: form.countries.to_owned(),
        languages: form.languages.to_owned(),
    }
}

/// The form of one team, to `action`, filled with `t`.
fn team_form(session: &Session, action: &str, t: &TeamTexts, submit: &str) -> String {
    let field = |id: &str, label: &str, value: &str| {
        format!(
            "<label for=\"{id}\">{label}</label>\
             <input type=\"text\" id=\"{id}\" name=\"{id}\" value=\"{}\">",
            Esc(value)
        )
    };
    format!(
        "<form method=\"post\" action=\"{}\">{}{}{}{}{}{}{}{}<p><button type=\"submit\">{}</button></p></form>",
        Esc(action),
        csrf_field(session),
        field("name", "Name", &t.name),
        field(
            "hours",
            "Working hours (Mon-Fri 09:00-18:00; Sat 10:00-14:00), empty for none: then only /online counts",
            &t.hours
        ),
        field("timezone", "Time zone (Europe/Kyiv)", &t.timezone),
        field("holidays", "Holidays (2026-12-25, 2027-01-01)", &t.holidays),
        field(
            "urgent_deadline_min",
            "Urgent deadline in minutes (the supervisor is paged after it)",
            &t.urgent_deadline_min
        ),
        field(
            "countries",
            "Countries it serves (UA, KZ), empty for all",
            &t.countries
        ),
        field(
            "languages",
            "Languages it serves (uk, ru, kk, en, sr, mk, sq), empty for all",
            &t.languages
        ),
        Esc(submit),
    )
}

async fn list_body(
    admin: &Admin,
    session: &Session,
    extra: &str,
    new: &TeamTexts,
) -> Result<String, AdminError> {
    let teams = admin.teams.list().await?;
    let mut body = String::from(extra);
    body.push_str(
        "<p>A case joins the team that serves her country and language most specifically; \
         otherwise the default team (the first). Staff without a team are in the default team.</p>\
         <table class=\"list\"><thead><tr><th>Team</th><th>Working hours</th><th>Serves</th>\
         <th>Urgent deadline</th><th></th></tr></thead><tbody>",
    );
    for (i, team) in teams.iter().enumerate() {
        let t = team.settings.texts();
        let serves = match (t.countries.as_str(), t.languages.as_str()) {
            ("", "") => "everyone".to_owned(),
            (c, "") => c.to_owned(),
            ("", l) => l.to_owned(),
            (c, l) => format!("{c} · {l}"),
        };
        let hours = if t.hours.is_empty() {
            "none (only /online)".to_owned()
        } else {
            format!("{} ({})", t.hours, t.timezone)
        };
        let _ = write!(
            body,
            "<tr><td><a href=\"/admin/teams/{id}\">{name}</a>{default}</td><td>{hours}</td>\
             <td>{serves}</td><td>{deadline} min</td><td>{delete}</td></tr>",
            id = team.id,
            name = Esc(team.name()),
            default = if i == 0 { " (default)" } else { "" },
            hours = Esc(&hours),
            serves = Esc(&serves),
            deadline = Esc(&t.urgent_deadline_min),
            delete = button(
                session,
                &format!("/admin/teams/{}/delete", team.id),
                "Delete",
                "danger"
            ),
        );
    }
    let _ = write!(
        body,
        "</tbody></table><h2>New team</h2>{}",
        team_form(session, "/admin/teams", new, "Create")
    );
    Ok(body)
}

async fn list_result(
    admin: &Admin,
    session: &Session,
    status: StatusCode,
    extra: &str,
    new: &TeamTexts,
) -> Response {
    match list_body(admin, session, extra, new).await {
        Ok(body) => page(status, "Teams", Some(session), &body),
        Err(e) => failure(e, Some(session)),
    }
}

fn problems(errors: &[TeamError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

pub(super) async fn teams_page(State(admin): AdminState, headers: HeaderMap) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let new = TeamTexts {
        timezone: "UTC".into(),
        urgent_deadline_min: "5".into(),
        ..TeamTexts::default()
    };
    list_result(&admin, &session, StatusCode::OK, "", &new).await
}

pub(super) async fn create_team(
    State(admin): AdminState,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (session, fields) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let form = form_of(&fields);
    let now = admin.now();
    let refusal = match TeamSettings::parse(&form) {
        Err(errs) => errs,
        Ok(settings) => match admin.teams.create(&settings, now).await {
            Err(TeamError::NameTaken) => vec![TeamError::NameTaken],
            Err(e) => return failure(e.into(), Some(&session)),
            Ok(team) => {
                return audited_then(
                    &admin,
                    &session,
                    now,
                    "team created",
                    &format!("team {}", team.name()),
                    &summary(&team),
                    "/admin/teams",
                )
                .await;
            }
        },
    };
    list_result(
        &admin,
        &session,
        StatusCode::UNPROCESSABLE_ENTITY,
        &errors(&problems(&refusal)),
        &texts_of(&form),
    )
    .await
}

/// What the audit log says of a team's settings.
fn summary(team: &Team) -> String {
    let t = team.settings.texts();
    format!(
        "hours {:?} {} holidays {:?} deadline {} min countries {:?} languages {:?}",
        t.hours, t.timezone, t.holidays, t.urgent_deadline_min, t.countries, t.languages
    )
}

fn no_team(session: &Session) -> Response {
    page(
        StatusCode::NOT_FOUND,
        "No such team",
        Some(session),
        "<p>It may have been deleted. <a href=\"/admin/teams\">Back to the teams</a>.</p>",
    )
}

fn edit_page(
    session: &Session,
    status: StatusCode,
    id: i64,
    extra: &str,
    t: &TeamTexts,
) -> Response {
    let body = format!(
        "{extra}{}<p><a href=\"/admin/teams\">Back to the teams</a></p>",
        team_form(session, &format!("/admin/teams/{id}"), t, "Save")
    );
    page(status, "Edit team", Some(session), &body)
}

pub(super) async fn edit_team(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match admin.teams.by_id(id).await {
        Ok(Some(team)) => edit_page(&session, StatusCode::OK, id, "", &team.settings.texts()),
        Ok(None) => no_team(&session),
        Err(e) => failure(e.into(), Some(&session)),
    }
}

pub(super) async fn update_team(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let (session, fields) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let form = form_of(&fields);
    let before = match admin.teams.by_id(id).await {
        Ok(Some(t)) => t,
        Ok(None) => return no_team(&session),
        Err(e) => return failure(e.into(), Some(&session)),
    };
    let refused = |errs: &[TeamError]| {
        edit_page(
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            id,
            &errors(&problems(errs)),
            &texts_of(&form),
        )
    };
    let settings = match TeamSettings::parse(&form) {
        Ok(s) => s,
        Err(errs) => return refused(&errs),
    };
    let team = match admin.teams.update(id, &settings).await {
        Ok(t) => t,
        Err(TeamError::NameTaken) => return refused(&[TeamError::NameTaken]),
        Err(TeamError::NotFound) => return no_team(&session),
        Err(e) => return failure(e.into(), Some(&session)),
    };
    audited_then(
        &admin,
        &session,
        admin.now(),
        "team changed",
        &format!("team {}", before.name()),
        &summary(&team),
        "/admin/teams",
    )
    .await
}

pub(super) async fn delete_team(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let (session, _) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let team = match admin.teams.delete(id).await {
        Ok(t) => t,
        Err(TeamError::NotFound) => return no_team(&session),
        Err(e @ (TeamError::HasMembers(_) | TeamError::HasOpenCases(_))) => {
            let new = TeamTexts {
                timezone: "UTC".into(),
                urgent_deadline_min: "5".into(),
                ..TeamTexts::default()
            };
            let message = vec![format!("Not deleted: {e}.")];
            return list_result(
                &admin,
                &session,
                StatusCode::CONFLICT,
                &errors(&message).replace("Nothing was saved:", "Nothing was changed:"),
                &new,
            )
            .await;
        }
        Err(e) => return failure(e.into(), Some(&session)),
    };
    audited_then(
        &admin,
        &session,
        admin.now(),
        "team deleted",
        &format!("team {}", team.name()),
        &summary(&team),
        "/admin/teams",
    )
    .await
}

/// The Staff page's team cell: a select of the teams and a button.
pub(super) fn team_cell(session: &Session, member: &StaffMember, teams: &[Team]) -> String {
    let current = member.team_id.or(teams.first().map(|t| t.id));
    let mut out = format!(
        "<form method=\"post\" action=\"/admin/staff/{}/team\" style=\"display:inline\">{}\
         <select name=\"team\">",
        member.id,
        csrf_field(session)
    );
    for team in teams {
        let selected = if Some(team.id) == current {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<option value=\"{}\"{selected}>{}</option>",
            team.id,
            Esc(team.name())
        );
    }
    out.push_str("</select><button type=\"submit\" class=\"quiet\">Move</button></form>");
    out
}

pub(super) async fn staff_team(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let (session, fields) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let team = match fields.get("team").trim().parse::<i64>() {
        Ok(team_id) => match admin.teams.by_id(team_id).await {
            Ok(t) => t,
            Err(e) => return failure(e.into(), Some(&session)),
        },
        Err(_) => None,
    };
    let Some(team) = team else {
        return super::staff_result(
            &admin,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors(&["Team: choose one of the teams".to_owned()]),
        )
        .await;
    };
    let member = match admin.staff.by_id(id).await {
        Ok(Some(m)) => m,
        Ok(None) => {
            return super::staff_result(
                &admin,
                &session,
                StatusCode::NOT_FOUND,
                &errors(&["no such staff member".to_owned()]),
            )
            .await;
        }
        Err(e) => return failure(e.into(), Some(&session)),
    };
    if let Err(e) = admin.staff.set_team(id, Some(team.id)).await {
        return failure(e.into(), Some(&session));
    }
    audited_then(
        &admin,
        &session,
        admin.now(),
        "team of staff changed",
        &format!("staff {}", member.name),
        &format!("team {}", team.name()),
        "/admin/staff",
    )
    .await
}
